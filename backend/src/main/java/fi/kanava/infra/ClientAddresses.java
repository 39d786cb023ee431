package fi.kanava.infra;

import io.netty.handler.ipfilter.IpFilterRuleType;
import io.netty.handler.ipfilter.IpSubnetFilterRule;
import io.netty.util.NetUtil;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.SocketAddress;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The one place that says who "the client" of a request or a WebSocket handshake is, for the
 * per-address limits. It is the socket's peer, unless the peer is one of the configured trusted
 * proxies ({@code http.trusted-proxies}): then the forwarded chain ({@code X-Forwarded-For}, or
 * {@code Forwarded} when {@code http.forwarded-header} says so) is walked from the right, and the
 * first hop that is not a trusted proxy is the client. Hops to its left were written by the client
 * itself and are never believed. An IPv6 client is its {@code abuse.ipv6-prefix-length} prefix
 * (a /64 by default: one subscriber holds a whole /64, so counting single addresses would count
 * nothing). Addresses are parsed as literals only, never looked up in DNS.
 */
public final class ClientAddresses {
  /** Which header a trusted proxy writes. */
  public enum ForwardedHeader {
    X_FORWARDED_FOR("x-forwarded-for"), FORWARDED("forwarded");

    private final String header;

    ForwardedHeader(String header) {
      this.header = header;
    }

    public String header() {
      return header;
    }

    public static ForwardedHeader of(String value) {
      for (ForwardedHeader h : values()) {
        if (h.header.equalsIgnoreCase(value)) {
          return h;
        }
      }
      throw new IllegalArgumentException("must be x-forwarded-for or forwarded");
    }
  }

  private final List<IpSubnetFilterRule> trusted;
  private final ForwardedHeader header;
  private final int ipv6PrefixLength;

  public ClientAddresses(List<String> trustedProxies, ForwardedHeader header, int ipv6PrefixLength) {
    this.trusted = trustedProxies.stream().map(ClientAddresses::subnet).toList();
    this.header = header;
    this.ipv6PrefixLength = ipv6PrefixLength;
  }

  public static ClientAddresses of(KanavaConfig config) {
    return new ClientAddresses(config.http().trustedProxies(), config.http().forwardedHeader(), config.abuse().ipv6PrefixLength());
  }

  public String of(HttpServerRequest request) {
    return of(request.remoteAddress(), request.headers());
  }

  /** The client's address as a key: {@code 192.0.2.7}, or an IPv6 prefix such as {@code 2001:db8:1:2::/64}. */
  public String of(SocketAddress peer, MultiMap headers) {
    InetAddress current = peer == null ? null : parse(peer.hostAddress());
    if (current == null) {
      return "unknown";
    }
    if (!isTrusted(current)) {
      return key(current);
    }
    List<String> hops = hops(headers);
    for (int i = hops.size() - 1; i >= 0; i--) {
      InetAddress hop = parse(hops.get(i));
      if (hop == null) {
        // a trusted proxy passed on something that is not an address: the last address we can vouch for
        return key(current);
      }
      if (!isTrusted(hop)) {
        return key(hop);
      }
      current = hop;
    }
    return key(current);
  }

  private boolean isTrusted(InetAddress address) {
    InetSocketAddress socket = new InetSocketAddress(address, 0);
    for (IpSubnetFilterRule rule : trusted) {
      if (rule.matches(socket)) {
        return true;
      }
    }
    return false;
  }

  /** The hops of the forwarded chain, left (farthest) to right (nearest), as written. */
  private List<String> hops(MultiMap headers) {
    List<String> hops = new ArrayList<>();
    for (String line : headers.getAll(header.header())) {
      for (String element : line.split(",")) {
        String hop = header == ForwardedHeader.FORWARDED ? forValue(element) : element.strip();
        hops.add(hop == null ? "" : hop);
      }
    }
    return hops;
  }

  /** The {@code for=} parameter of one element of a {@code Forwarded} header (RFC 7239), unquoted. */
  private static String forValue(String element) {
    for (String pair : element.split(";")) {
      int eq = pair.indexOf('=');
      if (eq > 0 && pair.substring(0, eq).strip().toLowerCase(Locale.ROOT).equals("for")) {
        String value = pair.substring(eq + 1).strip();
        if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
          value = value.substring(1, value.length() - 1);
        }
        return value;
      }
    }
    return null;
  }

  /** An IP literal, with an optional port ({@code 192.0.2.1:443}, {@code [2001:db8::1]:443}); null for anything else. */
  static InetAddress parse(String text) {
    String value = text == null ? "" : text.strip();
    if (value.startsWith("[")) {
      int end = value.indexOf(']');
      if (end < 0) {
        return null;
      }
      value = value.substring(1, end);
    } else if (value.indexOf(':') > 0 && value.indexOf(':') == value.lastIndexOf(':') && value.indexOf('.') > 0) {
      value = value.substring(0, value.indexOf(':'));
    }
    int zone = value.indexOf('%');
    if (zone >= 0) {
      value = value.substring(0, zone);
    }
    byte[] bytes = value.isEmpty() ? null : NetUtil.createByteArrayFromIpAddressString(value);
    if (bytes == null) {
      return null;
    }
    try {
      // getByAddress never resolves; an IPv4-mapped IPv6 address comes back as the IPv4 address
      return InetAddress.getByAddress(bytes);
    } catch (UnknownHostException e) {
      return null;
    }
  }

  private String key(InetAddress address) {
    byte[] bytes = address.getAddress();
    if (bytes.length == 4) {
      return address.getHostAddress();
    }
    for (int bit = ipv6PrefixLength; bit < 128; bit++) {
      bytes[bit / 8] &= (byte) ~(0x80 >>> (bit % 8));
    }
    try {
      return NetUtil.toAddressString(InetAddress.getByAddress(bytes)) + "/" + ipv6PrefixLength;
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A trusted proxy: {@code 10.0.0.0/8}, {@code 2001:db8::/32} or one address. */
  static IpSubnetFilterRule subnet(String cidr) {
    int slash = cidr.indexOf('/');
    InetAddress address = parse(slash < 0 ? cidr : cidr.substring(0, slash));
    if (address == null || cidr.startsWith("[")) {
      throw new IllegalArgumentException("'" + cidr + "' is not an address or a CIDR block such as 10.0.0.0/8");
    }
    int max = address.getAddress().length * 8;
    int prefix;
    try {
      prefix = slash < 0 ? max : Integer.parseInt(cidr.substring(slash + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("'" + cidr + "' has no valid prefix length");
    }
    if (prefix < 0 || prefix > max) {
      throw new IllegalArgumentException("'" + cidr + "': the prefix length must be between 0 and " + max);
    }
    return new IpSubnetFilterRule(address, prefix, IpFilterRuleType.ACCEPT);
  }

  /** Checks a configured proxy list entry; the message says what is wrong. */
  public static void validate(String cidr) {
    subnet(cidr);
  }
}
