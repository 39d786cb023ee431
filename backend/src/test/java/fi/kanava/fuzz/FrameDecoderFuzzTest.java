package fi.kanava.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import fi.kanava.Application;
import fi.kanava.infra.ConfigLoader;
import fi.kanava.infra.KanavaConfig;
import fi.kanava.infra.Metrics;
import fi.kanava.support.TestApp;
import fi.kanava.support.TestDb;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.util.Map;
import fi.kanava.ws.ClientFrame;
import fi.kanava.ws.FrameRegistry;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The WebSocket frame decoder with every frame type a node registers (read from a node started as
 * {@code Main} starts it, so a new frame type is fuzzed without touching this test). Raw bytes go
 * through Vert.x's UTF-8 decoding of a text frame, then through what the socket does with the text:
 * the ref is read for error replies, and the frame is decoded into its record or refused with a
 * {@link FrameRegistry.DecodeError} holding a 4xx code.
 */
@DisplayName("Fuzzing: WebSocket frame decoding")
class FrameDecoderFuzzTest {
  static Vertx vertx;
  static FrameRegistry registry;
  static Set<Class<?>> records;

  /**
   * A node started as {@code Main} starts it, on a Vert.x with the default blocked-thread limit (as
   * ProtocolDocsTest does): this test reads the registry, and under Jazzer's instrumentation the
   * first start in a JVM loads classes slowly on an event loop.
   */
  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    KanavaConfig config = ConfigLoader.withOverrides(Map.of("http.port", "0", "http.host", "127.0.0.1", "http.verticle-instances", "1",
        "db.pool-size", "2", "auth.signing-key.encryption-key", TestApp.KEY_ENCRYPTION_KEY));
    Application app = TestApp.await(Application.start(vertx, config, TestDb.newDatabase(), Clock.systemUTC(), Metrics.createRegistry()));
    registry = app.services().frames();
    records = registry.registrations().values().stream().map(FrameRegistry.Registration::record).collect(Collectors.toSet());
  }

  @AfterAll
  static void stop() {
    TestApp.await(vertx.close());
  }

  @FuzzTest
  void aTextFrameIsDecodedOrRefused(byte[] raw) {
    decodeOrRefuse(Hostile.textFrame(raw));
  }

  private static void decodeOrRefuse(String text) {
    String ref = FrameRegistry.refOf(text);
    assertThat(ref == null || ref.length() <= 64).as("ref %s", ref).isTrue();
    try {
      ClientFrame frame = registry.decode(text);
      assertThat(frame).isNotNull();
      assertThat(records).as("decoded into a registered record").contains(frame.getClass());
      assertThat(frame.ref() == null || frame.ref().length() <= 64).as("an accepted ref has at most 64 characters").isTrue();
    } catch (FrameRegistry.DecodeError refused) {
      Hostile.assertRefusal(refused.error());
    }
  }

  /** Up to ws.max-frame-bytes (16 KiB by default): the socket refuses larger frames before decoding them. */
  static Stream<String> oversized() {
    String read = "{\"ref\":\"r1\",\"type\":\"read\",\"conversationId\":\"7d2f2c1e-2c1a-4f49-9a55-0d3a0f5e6b11\",\"seq\":";
    return Stream.of(
        "{\"type\":\"message.send\",\"conversationId\":\"7d2f2c1e-2c1a-4f49-9a55-0d3a0f5e6b11\",\"clientMsgId\":\"c-1\",\"text\":"
            + Hostile.longString(16_000) + "}",
        "{\"type\":\"ping\",\"ref\":" + Hostile.longString(16_000) + "}",
        read + "9".repeat(5_000) + "}",
        read + "1e999999}",
        read + "-99999999999999999999}",
        "{\"type\":\"queue.enter\",\"queueId\":\"q\",\"answers\":" + Hostile.nestedObjects(2_500, "a", "1") + "}",
        "{\"type\":\"queue.enter\",\"queueId\":\"q\",\"answers\":{\"a\":" + Hostile.nestedArrays(8_000, "") + "}}",
        Hostile.nestedArrays(8_000, "{}"),
        Hostile.nestedObjects(2_500, "ref", "\"r\""));
  }

  @DisplayName("Oversized strings, numbers and nesting up to the frame limit, beyond the fuzzer's short inputs, are refused")
  @ParameterizedTest
  @MethodSource("oversized")
  void oversizedFramesAreRefused(String text) {
    decodeOrRefuse(text);
  }
}
