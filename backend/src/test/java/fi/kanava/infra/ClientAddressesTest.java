package fi.kanava.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import fi.kanava.infra.ClientAddresses.ForwardedHeader;
import io.vertx.core.MultiMap;
import io.vertx.core.net.SocketAddress;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

@DisplayName("The client address behind trusted proxies")
class ClientAddressesTest {
  private static final ClientAddresses NO_PROXY = new ClientAddresses(List.of(), ForwardedHeader.X_FORWARDED_FOR, 64);
  private static final ClientAddresses BEHIND_PROXIES =
      new ClientAddresses(List.of("10.0.0.0/8", "2001:db8:ffff::1"), ForwardedHeader.X_FORWARDED_FOR, 64);

  private static SocketAddress peer(String ip) {
    return SocketAddress.inetSocketAddress(40000, ip);
  }

  private static MultiMap headers(String... nameValues) {
    MultiMap headers = MultiMap.caseInsensitiveMultiMap();
    for (int i = 0; i < nameValues.length; i += 2) {
      headers.add(nameValues[i], nameValues[i + 1]);
    }
    return headers;
  }

  @Nested
  @DisplayName("from a peer that is not a trusted proxy")
  class Untrusted {
    @Test
    void a_forwarded_header_is_ignored_however_it_is_spelt() {
      MultiMap spoofed = headers("X-Forwarded-For", "198.51.100.1", "forwarded", "for=198.51.100.2");
      assertThat(NO_PROXY.of(peer("203.0.113.7"), spoofed)).isEqualTo("203.0.113.7");
      // a peer outside the trusted blocks is not believed either, even when some proxies are trusted
      assertThat(BEHIND_PROXIES.of(peer("203.0.113.7"), spoofed)).isEqualTo("203.0.113.7");
    }

    @Test
    void an_ipv6_client_counts_as_its_64_prefix() {
      assertThat(NO_PROXY.of(peer("2001:db8:1:2:aaaa::1"), headers()))
          .isEqualTo(NO_PROXY.of(peer("2001:db8:1:2:bbbb::2"), headers()))
          .isEqualTo("2001:db8:1:2::/64");
      assertThat(NO_PROXY.of(peer("2001:db8:1:3::1"), headers())).isEqualTo("2001:db8:1:3::/64");
      assertThat(new ClientAddresses(List.of(), ForwardedHeader.X_FORWARDED_FOR, 48).of(peer("2001:db8:1:3::1"), headers()))
          .isEqualTo("2001:db8:1::/48");
    }

    @Test
    void an_ipv4_mapped_peer_is_its_ipv4_address() {
      assertThat(NO_PROXY.of(peer("::ffff:192.0.2.9"), headers())).isEqualTo("192.0.2.9");
    }
  }

  @Nested
  @DisplayName("from a trusted proxy")
  class Trusted {
    @Test
    void the_right_most_hop_that_is_not_a_trusted_proxy_is_the_client() {
      // the client wrote the first two hops itself; the proxies appended what they saw
      MultiMap chain = headers("x-forwarded-for", "1.1.1.1, 198.51.100.20", "x-forwarded-for", "203.0.113.9, 10.1.2.3");
      assertThat(BEHIND_PROXIES.of(peer("10.0.0.5"), chain)).isEqualTo("203.0.113.9");
    }

    @Test
    void whatever_the_client_puts_to_the_left_does_not_change_its_address() {
      for (String spoof : List.of("1.2.3.4", "5.6.7.8, 9.9.9.9", "unknown", "")) {
        String header = spoof.isEmpty() ? "192.0.2.44" : spoof + ", 192.0.2.44";
        assertThat(BEHIND_PROXIES.of(peer("10.0.0.5"), headers("X-Forwarded-For", header))).as(header).isEqualTo("192.0.2.44");
      }
    }

    @Test
    void without_a_header_the_proxy_itself_is_the_client() {
      assertThat(BEHIND_PROXIES.of(peer("10.0.0.5"), headers())).isEqualTo("10.0.0.5");
    }

    @Test
    void a_chain_of_only_trusted_proxies_ends_at_its_left_most_hop() {
      assertThat(BEHIND_PROXIES.of(peer("10.0.0.5"), headers("x-forwarded-for", "10.9.9.9, 10.0.0.7"))).isEqualTo("10.9.9.9");
    }

    @Test
    void a_hop_that_is_not_an_address_stops_at_the_last_address_that_can_be_vouched_for() {
      assertThat(BEHIND_PROXIES.of(peer("10.0.0.5"), headers("x-forwarded-for", "203.0.113.9, evil.example, 10.0.0.7")))
          .isEqualTo("10.0.0.7");
      // and a host name is never looked up
      assertThat(BEHIND_PROXIES.of(peer("10.0.0.5"), headers("x-forwarded-for", "localhost"))).isEqualTo("10.0.0.5");
    }

    @Test
    void hops_may_carry_ports_and_ipv6_brackets() {
      assertThat(BEHIND_PROXIES.of(peer("10.0.0.5"), headers("x-forwarded-for", "192.0.2.1:5555"))).isEqualTo("192.0.2.1");
      assertThat(BEHIND_PROXIES.of(peer("2001:db8:ffff::1"), headers("x-forwarded-for", "[2001:db8:5:6::9]:443")))
          .isEqualTo("2001:db8:5:6::/64");
    }

    @Test
    void the_forwarded_header_is_read_only_when_configured_and_then_x_forwarded_for_is_not() {
      ClientAddresses rfc = new ClientAddresses(List.of("10.0.0.0/8"), ForwardedHeader.FORWARDED, 64);
      MultiMap both = headers("forwarded", "for=1.2.3.4;proto=https, for=\"[2001:db8:7::1]:4711\";by=10.0.0.5",
          "x-forwarded-for", "198.51.100.99");
      assertThat(rfc.of(peer("10.0.0.5"), both)).isEqualTo("2001:db8:7::/64");
      assertThat(BEHIND_PROXIES.of(peer("10.0.0.5"), both)).isEqualTo("198.51.100.99");
      // an obfuscated or unknown node is not an address
      assertThat(rfc.of(peer("10.0.0.5"), headers("forwarded", "for=_hidden, for=192.0.2.3"))).isEqualTo("192.0.2.3");
      assertThat(rfc.of(peer("10.0.0.5"), headers("forwarded", "for=192.0.2.3, for=unknown"))).isEqualTo("10.0.0.5");
    }
  }

  @Test
  void the_configuration_accepts_addresses_and_blocks_and_names_a_bad_entry() {
    var config = ConfigLoader.withOverrides(Map.of("http.trusted-proxies", "10.0.0.0/8, 192.0.2.1, 2001:db8::/32",
        "http.forwarded-header", "Forwarded"));
    assertThat(config.http().trustedProxies()).containsExactly("10.0.0.0/8", "192.0.2.1", "2001:db8::/32");
    assertThat(config.http().forwardedHeader()).isEqualTo(ForwardedHeader.FORWARDED);
    for (String bad : List.of("proxy.example", "10.0.0.0/33", "10.0.0.0/x", "2001:db8::/129")) {
      assertThatThrownBy(() -> ConfigLoader.withOverrides(Map.of("http.trusted-proxies", bad))).as(bad)
          .isInstanceOf(ConfigException.class).hasMessageStartingWith("http.trusted-proxies: ");
    }
    assertThatThrownBy(() -> ConfigLoader.withOverrides(Map.of("http.forwarded-header", "x-real-ip")))
        .isInstanceOf(ConfigException.class).hasMessageStartingWith("http.forwarded-header: ");
  }
}
