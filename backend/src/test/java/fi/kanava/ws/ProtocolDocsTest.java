package fi.kanava.ws;

import static org.assertj.core.api.Assertions.assertThat;

import fi.kanava.Application;
import fi.kanava.infra.ConfigLoader;
import fi.kanava.infra.KanavaConfig;
import fi.kanava.infra.Metrics;
import fi.kanava.support.TestApp;
import fi.kanava.support.TestDb;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * docs/protocol.md describes every frame type a client may send (as the running node registers
 * them), every frame type the server sends and every error code the server can answer with, as
 * found in the main sources. Adding one without describing it fails this test.
 */
@DisplayName("docs/protocol.md describes every frame type and every error code")
class ProtocolDocsTest {
  private static final Pattern BACKTICKED = Pattern.compile("`([^`\\s]+)`");

  /** Code given as a literal to an ApiError factory, to the constructor, or to the helpers that build one. */
  private static final List<Pattern> CODE_PATTERNS = List.of(
      Pattern.compile("ApiError\\.(?:badRequest|conflict|notFound|unauthenticated)\\(\\s*\"([a-z_]+)\""),
      Pattern.compile("new ApiError\\(\\s*[^,()]+,\\s*\"([a-z_]+)\""),
      // Organisations.duplicate(e, "organisation_exists", ...): a unique violation becomes a 409 with this code
      Pattern.compile("\\bduplicate\\(\\s*\\w+\\s*,\\s*\"([a-z_]+)\""),
      // PrincipalEvents.endSessions(bus, id, "account_disabled", ...): every socket of the principal ends with this code
      Pattern.compile("\\bendSessions\\(\\s*[^,;]+,\\s*[^,;]+,\\s*\"([a-z_]+)\""));

  /** Codes kept as constants of an exception that a service turns into an ApiError (QuestionnaireException). */
  private static final Pattern EXCEPTION_CODE_CONSTANT = Pattern.compile("static final String \\w+ = \"([a-z_]+)\";");

  /**
   * ApiErrors built with a code that is not a literal, and where that code comes from (a pattern
   * above). A new site of this kind fails the test until its codes are found here too.
   */
  private static final Map<String, String> INDIRECT_CODES = Map.of(
      "ApiError.java", "the factories themselves",
      "Organisations.java|code", "duplicate(e, \"...\")",
      "QueueEntry.java|e.code()", "the constants of QuestionnaireException",
      "ClientSocket.java|end.getString(\"code\")", "endSessions(bus, id, \"...\")");

  private static final Pattern NON_LITERAL_FACTORY =
      Pattern.compile("ApiError\\.(?:badRequest|conflict|notFound|unauthenticated)\\(\\s*([^\"\\s][^,]*?)\\s*,");
  private static final Pattern NON_LITERAL_CONSTRUCTOR = Pattern.compile("new ApiError\\(\\s*[^,()]+,\\s*([^\"\\s][^,]*?)\\s*,");

  /** Server frames: built as JSON with a literal type, or records implementing ServerFrame. */
  private static final List<Pattern> SERVER_FRAME_PATTERNS = List.of(
      Pattern.compile("ServerFrames\\.frame\\(\\s*\"([a-z][a-z.]*)\"\\s*\\)"),
      Pattern.compile("\\.put\\(\\s*\"type\"\\s*,\\s*\"([a-z][a-z.]*)\"\\s*\\)"),
      // ConversationSockets.watch(s, conversation, afterSeq, ref, "conversation.state"): the ViewReply's type
      Pattern.compile("\\bwatch\\(\\s*s\\s*,[^;]*?,\\s*\"([a-z][a-z.]*)\"\\s*\\)"));
  private static final Pattern SERVER_FRAME_RECORD =
      Pattern.compile("record\\s+(\\w+)\\s*\\([^)]*\\)\\s*implements\\s+(?:[\\w.]+\\.)?ServerFrame\\b[^{]*\\{");
  // frame types may have a hyphen (rtc.peer-joined, visit.waiting-room)
  private static final Pattern LITERAL_TYPE = Pattern.compile("String\\s+type\\(\\)\\s*\\{\\s*return\\s+\"([a-z][a-z.-]*)\"\\s*;");
  /** ServerFrame records whose type is a component, with the pattern above that finds their types. */
  private static final Set<String> RECORDS_TYPED_BY_COMPONENT = Set.of("ViewReply");

  private static String protocol;
  private static Map<Path, String> sources;

  @BeforeAll
  static void read() throws IOException {
    Path module = moduleDirectory();
    protocol = Files.readString(module.resolve("../docs/protocol.md"));
    sources = new LinkedHashMap<>();
    try (Stream<Path> files = Files.walk(module.resolve("src/main/java"))) {
      for (Path file : files.filter(f -> f.toString().endsWith(".java")).sorted().toList()) {
        sources.put(file, Files.readString(file));
      }
    }
    assertThat(sources).as("main sources").hasSizeGreaterThan(50);
  }

  /** backend/: Maven runs tests there; an IDE may run them from the repository root. */
  private static Path moduleDirectory() {
    Path here = Path.of("").toAbsolutePath();
    for (Path candidate : List.of(here, here.resolve("backend"))) {
      if (Files.isDirectory(candidate.resolve("src/main/java/fi/kanava")) && Files.isRegularFile(candidate.resolve("../docs/protocol.md"))) {
        return candidate.normalize();
      }
    }
    throw new IllegalStateException("Run from the backend module or the repository root, not " + here);
  }

  @Test
  @DisplayName("every frame type the node registers is a row of the client frames table")
  void client_frames() {
    Set<String> registered = registeredFrameTypes();
    assertThat(registered).as("registered frame types").contains("auth", "ping", "message.send", "offer.decline");
    Set<String> documented = tableCodes(section("### Client frames", "\n### "));
    assertThat(missing(registered, documented)).as("registered frame types missing from the client frames table of docs/protocol.md")
        .isEmpty();
    assertThat(missing(documented, registered)).as("client frames in docs/protocol.md that the node does not register").isEmpty();
  }

  @Test
  @DisplayName("every server frame type in the main sources is described in the WebSocket section")
  void server_frames() {
    Set<String> types = new TreeSet<>();
    List<String> untyped = new ArrayList<>();
    sources.forEach((file, text) -> {
      for (Pattern pattern : SERVER_FRAME_PATTERNS) {
        collect(pattern, text, types);
      }
      Matcher record = SERVER_FRAME_RECORD.matcher(text);
      while (record.find()) {
        String body = body(text, record.end() - 1);
        Matcher literal = LITERAL_TYPE.matcher(body);
        if (literal.find()) {
          types.add(literal.group(1));
        } else if (!RECORDS_TYPED_BY_COMPONENT.contains(record.group(1))) {
          untyped.add(file.getFileName() + ": " + record.group(1));
        }
      }
    });
    assertThat(untyped).as("ServerFrame records whose type() returns no literal (teach this test where their types come from)").isEmpty();
    assertThat(types).as("server frame types found in the main sources")
        .contains("ready", "auth.ok", "pong", "error", "message", "message.ack", "conversation", "queue.entered", "conversation.state",
            "conversation.offer", "conversation.revoked", "offer.declined", "presence", "queue.waiting");
    Set<String> described = backticked(section("## WebSocket /ws", "\n## Error codes"));
    assertThat(missing(types, described)).as("server frame types not named (in backticks) in the WebSocket section of docs/protocol.md")
        .isEmpty();
  }

  @Test
  @DisplayName("every error code in the main sources is a row of the error codes table")
  void error_codes() {
    Set<String> codes = new TreeSet<>();
    List<String> unknownSites = new ArrayList<>();
    sources.forEach((file, text) -> {
      String name = file.getFileName().toString();
      for (Pattern pattern : CODE_PATTERNS) {
        collect(pattern, text, codes);
      }
      if (name.endsWith("Exception.java")) {
        collect(EXCEPTION_CODE_CONSTANT, text, codes);
      }
      for (Pattern pattern : List.of(NON_LITERAL_FACTORY, NON_LITERAL_CONSTRUCTOR)) {
        Matcher m = pattern.matcher(text);
        while (m.find()) {
          if (!INDIRECT_CODES.containsKey(name) && !INDIRECT_CODES.containsKey(name + "|" + m.group(1))) {
            unknownSites.add(name + ": " + m.group());
          }
        }
      }
    });
    assertThat(unknownSites).as("ApiErrors whose code is not a literal (teach this test where those codes come from)").isEmpty();
    assertThat(codes).as("error codes found in the main sources")
        .contains("forbidden", "internal_error", "too_many_attempts", "malformed_frame", "invalid_token", "account_disabled",
            "answer_missing", "organisation_exists", "not_watching", "invalid_text");
    Set<String> documented = tableCodes(section("## Error codes", "\n## "));
    assertThat(missing(codes, documented)).as("error codes missing from the Error codes table of docs/protocol.md").isEmpty();
  }

  /**
   * The frame types of a node started as {@code Main} starts it, on a Vert.x with the default
   * blocked-thread limit: this test reads the registry, it does not time the start (whose first run
   * in a JVM loads every feature's classes on an event loop).
   */
  private static Set<String> registeredFrameTypes() {
    Vertx vertx = Vertx.vertx();
    try {
      KanavaConfig config = ConfigLoader.withOverrides(
          Map.of("http.port", "0", "http.host", "127.0.0.1", "http.verticle-instances", "1", "db.pool-size", "2",
              "auth.signing-key.encryption-key", TestApp.KEY_ENCRYPTION_KEY));
      Application app = TestApp.await(Application.start(vertx, config, TestDb.newDatabase(), Clock.systemUTC(), Metrics.createRegistry()));
      return new TreeSet<>(app.services().frames().registrations().keySet());
    } finally {
      TestApp.await(vertx.close());
    }
  }

  private static Set<String> missing(Set<String> wanted, Set<String> present) {
    Set<String> out = new TreeSet<>(wanted);
    out.removeAll(present);
    return out;
  }

  /** The text from the heading to the next heading that starts with {@code next}, or to the end. */
  private static String section(String heading, String next) {
    int start = protocol.indexOf("\n" + heading);
    assertThat(start).as("docs/protocol.md has the section " + heading).isNotNegative();
    int end = protocol.indexOf(next, start + heading.length() + 1);
    return protocol.substring(start, end < 0 ? protocol.length() : end);
  }

  /** The backticked names in the first column of the section's tables. */
  private static Set<String> tableCodes(String section) {
    Set<String> out = new TreeSet<>();
    Matcher m = Pattern.compile("(?m)^\\|\\s*`([^`]+)`\\s*\\|").matcher(section);
    while (m.find()) {
      out.add(m.group(1));
    }
    return out;
  }

  private static Set<String> backticked(String text) {
    Set<String> out = new TreeSet<>();
    collect(BACKTICKED, text, out);
    return out;
  }

  private static void collect(Pattern pattern, String text, Set<String> into) {
    Matcher m = pattern.matcher(text);
    while (m.find()) {
      into.add(m.group(1));
    }
  }

  /** The braces-balanced body that starts at {@code open} (a '{'). */
  private static String body(String text, int open) {
    int depth = 0;
    for (int i = open; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '{') {
        depth++;
      } else if (c == '}' && --depth == 0) {
        return text.substring(open, i + 1);
      }
    }
    throw new IllegalStateException("Unbalanced braces after offset " + open);
  }
}
