package fi.kanava.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP link a test can cut and heal: it listens on a loopback port of its own and forwards each
 * connection to {@code 127.0.0.1:target}. Cut, it closes every connection through it and refuses
 * new ones (nothing listens on its port); healed, it listens on the same port again. A cluster
 * member that others reach only through its link is then partitioned off for real, over TCP.
 */
public final class TcpLink implements AutoCloseable {
  private final int target;
  private final int port;
  private final List<Socket> open = new CopyOnWriteArrayList<>();
  private volatile ServerSocket server;

  private TcpLink(int target, int port) {
    this.target = target;
    this.port = port;
  }

  public static TcpLink to(int target) {
    TcpLink link = cutTo(target);
    link.heal();
    return link;
  }

  /**
   * A link with its port chosen but not listening yet: heal it once the target listens. (A link
   * that accepts while its target does not would look to Hazelcast like a member that never answers.)
   */
  public static TcpLink cutTo(int target) {
    return new TcpLink(target, ClusterNodes.freePort());
  }

  public int port() {
    return port;
  }

  /** Closes every connection through the link and stops listening. */
  public synchronized void cut() {
    try {
      if (server != null) {
        server.close();
        server = null;
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    open.forEach(TcpLink::closeQuietly);
    open.clear();
  }

  /** Listens on the link's port again. */
  public synchronized void heal() {
    if (server != null) {
      return;
    }
    try {
      ServerSocket listening = new ServerSocket();
      listening.setReuseAddress(true);
      listening.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
      server = listening;
      Thread accepter = new Thread(() -> accept(listening), "tcp-link-" + port);
      accepter.setDaemon(true);
      accepter.start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void accept(ServerSocket listening) {
    while (!listening.isClosed()) {
      try {
        Socket in = listening.accept();
        Socket out = new Socket(InetAddress.getLoopbackAddress(), target);
        open.add(in);
        open.add(out);
        pump(in, out);
        pump(out, in);
      } catch (IOException e) {
        // closed by cut(), or the target is gone: the connection attempt fails as a partition would make it
      }
    }
  }

  private void pump(Socket from, Socket to) {
    Thread t = new Thread(() -> {
      byte[] buffer = new byte[16 * 1024];
      try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
        int n;
        while ((n = in.read(buffer)) >= 0) {
          out.write(buffer, 0, n);
          out.flush();
        }
      } catch (IOException e) {
        // the link was cut or one side closed
      } finally {
        closeQuietly(from);
        closeQuietly(to);
      }
    }, "tcp-link-pump-" + port);
    t.setDaemon(true);
    t.start();
  }

  private static void closeQuietly(Socket socket) {
    try {
      socket.close();
    } catch (IOException e) {
      // already closed
    }
  }

  @Override
  public void close() {
    cut();
  }
}
