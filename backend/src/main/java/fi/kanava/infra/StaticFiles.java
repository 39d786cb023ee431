package fi.kanava.infra;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.MimeMapping;
import io.vertx.ext.web.RoutingContext;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;

/**
 * The web client's files (a few small text files under {@code webroot/}), each read once, given a
 * content-hash ETag and, when it pays, compressed once with gzip at the best level. A request gets
 * the gzip copy if it accepts gzip, and 304 with no body when its {@code If-None-Match} names the
 * copy it would get. The hash is of the content, so every node and every restart gives a file the
 * same ETag. Brotli is not offered: Netty's brotli needs a native library.
 *
 * <p>Only plain paths are served ({@code /js/patient.js}); a segment may not start with a dot, so
 * there is no {@code ..} and no hidden file. A path that is not a file goes to the next handler.
 */
final class StaticFiles implements Handler<RoutingContext> {
  private static final Pattern PLAIN_PATH = Pattern.compile("(/[A-Za-z0-9_-][A-Za-z0-9_.-]*)*/?");
  private static final String GZIP = "gzip";

  /** One file: the bytes as stored, the gzip bytes when smaller (else null), and the ETag of each. */
  record StaticFile(String contentType, Buffer identity, String etag, Buffer gzip, String gzipEtag) { }

  private final Vertx vertx;
  private final String root;
  private final String indexPage;
  /** The URL path the files are served under ("/" for the site's root), stripped before the file is looked up. */
  private final String mount;
  /** Files found so far; a miss is not remembered, so unknown paths cannot fill the map. */
  private final Map<String, Future<Optional<StaticFile>>> files = new ConcurrentHashMap<>();

  StaticFiles(Vertx vertx, String root, String indexPage) {
    this(vertx, root, indexPage, "/");
  }

  /** Files of {@code root} served under the URL path {@code mount} (ending with "/"). */
  StaticFiles(Vertx vertx, String root, String indexPage, String mount) {
    this.vertx = vertx;
    this.root = root;
    this.indexPage = indexPage;
    this.mount = mount;
  }

  @Override
  public void handle(RoutingContext ctx) {
    HttpMethod method = ctx.request().method();
    String path = ctx.normalizedPath();
    if (!path.startsWith(mount)) {
      ctx.next();
      return;
    }
    path = path.substring(mount.length() - 1);
    if ((method != HttpMethod.GET && method != HttpMethod.HEAD) || !PLAIN_PATH.matcher(path).matches()) {
      ctx.next();
      return;
    }
    String file = path.endsWith("/") ? path + indexPage : path;
    files.computeIfAbsent(file, this::load).onComplete(ar -> {
      if (ar.failed() || ar.result().isEmpty()) {
        files.remove(file);
      }
      if (ar.failed()) {
        ctx.fail(ar.cause());
      } else if (ar.result().isEmpty()) {
        ctx.next();
      } else {
        send(ctx, ar.result().get());
      }
    });
  }

  private Future<Optional<StaticFile>> load(String path) {
    String file = root + path;
    return vertx.fileSystem().exists(file)
        .compose(exists -> exists ? vertx.fileSystem().props(file).map(props -> props.isRegularFile()) : Future.succeededFuture(false))
        .compose(regular -> regular
            ? vertx.fileSystem().readFile(file).compose(bytes -> vertx.executeBlocking(() -> prepare(path, bytes))).map(Optional::of)
            : Future.succeededFuture(Optional.empty()));
  }

  static StaticFile prepare(String path, Buffer bytes) throws IOException {
    String type = MimeMapping.mimeTypeForFilename(path);
    if (type == null) {
      type = "application/octet-stream";
    }
    boolean text = type.startsWith("text/") || type.equals("application/javascript") || type.equals("application/json")
        || type.equals("image/svg+xml");
    String contentType = text ? type + "; charset=utf-8" : type;
    String hash = hash(bytes.getBytes());
    Buffer gzip = text ? gzip(bytes.getBytes()) : null;
    if (gzip != null && gzip.length() >= bytes.length()) {
      gzip = null;
    }
    return new StaticFile(contentType, bytes, '"' + hash + '"', gzip, gzip == null ? null : '"' + hash + "-gz\"");
  }

  private void send(RoutingContext ctx, StaticFile file) {
    HttpServerResponse response = ctx.response();
    boolean gzip = file.gzip() != null && acceptsGzip(ctx.request().getHeader(HttpHeaders.ACCEPT_ENCODING));
    String etag = gzip ? file.gzipEtag() : file.etag();
    response.putHeader(HttpHeaders.ETAG, etag);
    if (file.gzip() != null) {
      response.putHeader(HttpHeaders.VARY, HttpHeaders.ACCEPT_ENCODING);
    }
    if (matches(ctx.request().getHeader(HttpHeaders.IF_NONE_MATCH), etag)) {
      response.setStatusCode(304).end();
      return;
    }
    Buffer body = gzip ? file.gzip() : file.identity();
    response.putHeader(HttpHeaders.CONTENT_TYPE, file.contentType());
    if (gzip) {
      response.putHeader(HttpHeaders.CONTENT_ENCODING, GZIP);
    }
    if (ctx.request().method() == HttpMethod.HEAD) {
      response.putHeader(HttpHeaders.CONTENT_LENGTH, Integer.toString(body.length())).end();
    } else {
      response.end(body);
    }
  }

  /** True when {@code Accept-Encoding} lists gzip (or {@code *}) without {@code q=0}. */
  static boolean acceptsGzip(String acceptEncoding) {
    if (acceptEncoding == null) {
      return false;
    }
    for (String coding : acceptEncoding.split(",")) {
      String[] parts = coding.split(";");
      String name = parts[0].trim();
      if (name.equalsIgnoreCase(GZIP) || name.equals("*")) {
        boolean refused = Arrays.stream(parts).skip(1).map(p -> p.replace(" ", ""))
            .anyMatch(p -> p.matches("(?i)q=0(\\.0{0,3})?"));
        return !refused;
      }
    }
    return false;
  }

  /** True when {@code If-None-Match} is {@code *} or lists {@code etag} (weak comparison, as RFC 9110 asks). */
  static boolean matches(String ifNoneMatch, String etag) {
    if (ifNoneMatch == null) {
      return false;
    }
    for (String candidate : ifNoneMatch.split(",")) {
      String tag = candidate.trim();
      if (tag.startsWith("W/")) {
        tag = tag.substring(2);
      }
      if (tag.equals("*") || tag.equals(etag)) {
        return true;
      }
    }
    return false;
  }

  private static String hash(byte[] bytes) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(bytes);
      return Base64.getUrlEncoder().withoutPadding().encodeToString(Arrays.copyOf(digest, 18));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java has SHA-256", e);
    }
  }

  private static Buffer gzip(byte[] bytes) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream(bytes.length / 3 + 64);
    try (OutputStream gzip = new GZIPOutputStream(out) {
      {
        def.setLevel(Deflater.BEST_COMPRESSION);
      }
    }) {
      gzip.write(bytes);
    }
    return Buffer.buffer(out.toByteArray());
  }
}
