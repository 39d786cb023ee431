package fi.kanava.loadtest;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Every number of a run. A profile ({@code full} or {@code smoke}) gives the defaults; each key can
 * be overridden on the command line as {@code --key value}. {@link #usage()} lists them all.
 */
final class Settings {
  /** key, full default, smoke default, description. */
  private static final String[][] KEYS = {
      {"nurses", "20", "4", "nurse accounts (each one WebSocket)"},
      {"nurse-capacity", "50", "50", "maxConcurrent per nurse (1..50)"},
      {"conversations", "400", "16", "chat phase: concurrent conversations in the steady state"},
      {"message-interval-ms", "400", "400", "chat phase: each patient sends every this many ms; the nurse answers each"},
      {"chat-seconds", "60", "4", "chat phase: how long each patient keeps sending once accepted"},
      {"arrival-seconds", "150", "10", "chat phase: how long patients keep arriving (rate = conversations / chat-seconds)"},
      {"warmup-seconds", "5", "2", "chat phase: steady state starts at chat-seconds + this after the first arrival"},
      {"text-length", "80", "80", "characters of each chat message text"},
      {"accept-timeout-seconds", "30", "10", "a patient not accepted by then counts as a timeout"},
      {"drain-seconds", "30", "10", "drain period: at most this long for every sent message to arrive before lost ones are counted"},
      {"finish-concurrency", "32", "4", "saturation: conversations closed at once at the end"},
      {"idle-connections", "10000", "250", "idle phase: authenticated patient WebSockets held open"},
      {"idle-hold-seconds", "30", "3", "idle phase: how long they are held"},
      {"connect-concurrency", "200", "50", "sessions and connects in flight at once (idle phase, saturation set-up)"},
      {"source-addresses", "1", "1", "loopback addresses the harness's WebSockets connect from (127.0.0.1, 127.0.0.2, ...), in turn: one"
          + " gives about 28,000 ephemeral ports towards one server port, so 50,000 idle connections need 2 or more"},
      {"sat-pairs", "400", "16", "saturation: active conversations (patient + nurse) driven"},
      {"sat-start-rate", "2000", "75", "saturation: first offered rate, messages per second (both directions)"},
      {"sat-factor", "1.25", "2", "saturation: each step multiplies the offered rate by this"},
      {"sat-max-rate", "64000", "300", "saturation: offered rate cap"},
      {"sat-max-steps", "18", "4", "saturation: at most this many steps"},
      {"sat-step-seconds", "10", "3", "saturation: seconds per step (the first second is not measured)"},
      {"sat-p99-limit-ms", "200", "200", "saturation: a step with a higher p99 ends the stepping"},
      {"sat-retries", "1", "1", "saturation: a failing step is drained and repeated this many times before stepping stops"},
      {"rate-limit", "10000", "10000", "server ws.rate-limit-per-second (raised from 10 so the harness is not throttled)"},
      {"rate-burst", "100000", "100000", "server ws.rate-limit-burst"},
      {"event-loops", Integer.toString(Math.max(4, 2 * Runtime.getRuntime().availableProcessors())), null,
          "harness event loops"},
      {"run-timeout-seconds", "2400", "300", "the whole run stops by itself after this"},
      {"phases", "chat,idle,saturation,durable,baseline", null, "phases to run (durable: the durable relay, which needs the"
          + " server's database, so the server is started for it)"},
      {"target-connections", "10000", null, "target: concurrent WebSockets held"},
      {"target-rate", "2000", null, "target: messages per second persisted and delivered"},
      {"target-p99-ms", "50", null, "target: p99 delivery latency at target-rate"},
      {"target-ratio", "0.5", null, "target: Kanava saturation / bare relay saturation"},
      {"target-durable-ratio", "0.7", null, "target: Kanava saturation / durable relay saturation"},
      {"target-kb-per-connection", "50", null, "target: server memory per idle connection (KB)"},
      {"server-jar", "backend/target/kanava.jar", null, "the Kanava server jar"},
      {"loadtest-jar", "ops/loadtest/target/kanava-loadtest.jar", null, "this jar (for the relay child process)"},
      {"java", "", null, "java executable for the children (default: the one running the harness)"},
      {"server-java-opts", "", null, "extra JVM options for the Kanava server, space-separated"},
      {"report", "ops/loadtest/target/report.md", null, "Markdown report"},
      {"work-dir", "ops/loadtest/target/run", null, "server logs and the temporary database go under here"},
      {"db-url", "", null, "empty: the server's embedded PostgreSQL; else postgresql://host:port/database of a fresh database that"
          + " the server and the durable relay both use (no password in it)"},
      {"db-user", "", null, "who the harness and the durable relay connect as (empty: postgres, or the url's user);"
          + " with --db-url the server connects as this user too"},
      {"db-password-file", "", null, "db-user's password: the first line, or the value of db-password-key in a .properties file;"
          + " a relative path is inside the embedded database's data directory (empty: the server's kanava-credentials.properties"
          + " there if it exists, else PGPASSWORD, else postgres)"},
      {"db-password-key", "superuser", null, "the key of db-user's password in a .properties password file"},
      {"haproxy-config", "ops/haproxy/haproxy.cfg", null, "drill: the HAProxy configuration (run by /usr/sbin/haproxy)"},
      {"haproxy-count", "2", null, "drill: HAProxy processes in front of the nodes (same configuration, each its own port); clients take them"
          + " in turn and reconnect through the one they used"},
      {"haproxy-maxconn", "9600", null, "drill: KANAVA_HAPROXY_MAXCONN of each HAProxy (two descriptors per connection: keep it under half the"
          + " open-file limit)"},
      {"drill-warmup-seconds", "30", null, "drill: traffic before the first fault"},
      {"drill-node-down-seconds", "10", null, "drill: how long the killed node stays down before it is started again"},
      {"drill-settle-seconds", "30", null, "drill: traffic after a fault once every disturbed client has resumed"},
      {"drill-db-down-seconds", "5", null, "drill: how long PostgreSQL stays stopped"},
      {"drill-resume-timeout-seconds", "300", null, "drill: after a fault, at most this long for every disturbed client to resume"
          + " before the settle time and the next fault"},
      {"drill-cross-seconds", "30", null, "drill: seconds of each latency measurement (cross-node and one node), 0 to skip them"},
      {"drill-idle-clients", "10000", null, "drill: idle sockets on one node, then its kill (reconnect storm); 0 to skip. Spread over the"
          + " HAProxies, which need two descriptors for each; a size that would not fit the open-file limit is refused, naming the largest that would"},
      {"drill-storm-timeout-seconds", "300", null, "drill: how long the storm may take before it counts as not resumed"},
  };

  /** The drill profile: the full profile's defaults with these changed. */
  private static final Map<String, String> DRILL = Map.of(
      "run-timeout-seconds", "1800",
      "drain-seconds", "60",
      "accept-timeout-seconds", "60",
      // Hazelcast's own advice (docs/operations.md, "The cluster")
      "server-java-opts", "--add-modules java.se --add-exports java.base/jdk.internal.ref=ALL-UNNAMED --add-opens java.base/java.lang=ALL-UNNAMED"
          + " --add-opens java.base/sun.nio.ch=ALL-UNNAMED --add-opens java.management/sun.management=ALL-UNNAMED"
          + " --add-opens jdk.management/com.sun.management.internal=ALL-UNNAMED",
      "report", "ops/loadtest/target/drill-report.md",
      "work-dir", "ops/loadtest/target/drill");

  private final String profile;
  private final Map<String, String> values;
  private final Path root;

  private Settings(String profile, Map<String, String> values, Path root) {
    this.profile = profile;
    this.values = values;
    this.root = root;
  }

  /** Parses {@code --profile NAME} and {@code --key value} pairs; relative paths are resolved against the repository root. */
  static Settings parse(String[] args, Path root) {
    String profile = "smoke";
    Map<String, String> overrides = new LinkedHashMap<>();
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if (arg.equals("--help") || arg.equals("-h")) {
        throw new IllegalArgumentException("");
      }
      if (!arg.startsWith("--") || i + 1 >= args.length) {
        throw new IllegalArgumentException("Expected --key value, got '" + arg + "'");
      }
      String key = arg.substring(2);
      String value = args[++i];
      if (key.equals("profile")) {
        if (!value.equals("full") && !value.equals("smoke") && !value.equals("drill")) {
          throw new IllegalArgumentException("--profile is full, smoke or drill");
        }
        profile = value;
      } else if (Arrays.stream(KEYS).noneMatch(k -> k[0].equals(key))) {
        throw new IllegalArgumentException("Unknown option --" + key);
      } else {
        overrides.put(key, value);
      }
    }
    Map<String, String> values = new LinkedHashMap<>();
    for (String[] k : KEYS) {
      values.put(k[0], profile.equals("smoke") && k[2] != null ? k[2] : k[1]);
    }
    if (profile.equals("drill")) {
      values.putAll(DRILL);
    }
    values.putAll(overrides);
    Settings settings = new Settings(profile, values, root);
    settings.validate();
    return settings;
  }

  static String usage() {
    StringBuilder out = new StringBuilder("Usage: java -jar kanava-loadtest.jar --profile full|smoke|drill [--key value ...]\n(drill: the full profile's defaults, except " + DRILL + ")\n\n");
    out.append(String.format("  %-26s %-32s %-10s %s%n", "key", "full", "smoke", ""));
    for (String[] k : KEYS) {
      out.append(String.format("  --%-24s %-32s %-10s %s%n", k[0], k[1], k[2] == null ? "(same)" : k[2], k[3]));
    }
    return out.toString();
  }

  private void validate() {
    for (String[] k : KEYS) {
      if (k[1].matches("[0-9.]+")) {
        number(k[0]);
      }
    }
    if (integer("sat-step-seconds") < 2) {
      throw new IllegalArgumentException("--sat-step-seconds must be at least 2");
    }
    if (decimal("sat-factor") <= 1) {
      throw new IllegalArgumentException("--sat-factor must be above 1");
    }
    if (integer("nurse-capacity") < 1 || integer("nurse-capacity") > 50) {
      throw new IllegalArgumentException("--nurse-capacity is 1..50");
    }
    if (!values.get("db-url").isBlank()) {
      Database.checkUrl(values.get("db-url"));
    }
    if (integer("haproxy-count") < 1) {
      throw new IllegalArgumentException("--haproxy-count must be at least 1");
    }
    if (profile.equals("drill")) {
      Descriptors.check(this);
    }
    Set<String> known = Set.of("chat", "idle", "saturation", "durable", "baseline");
    for (String phase : phases()) {
      if (!known.contains(phase)) {
        throw new IllegalArgumentException("Unknown phase " + phase + "; phases are " + known);
      }
    }
  }

  private double number(String key) {
    try {
      double v = Double.parseDouble(values.get(key));
      if (v < 0) {
        throw new NumberFormatException();
      }
      return v;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--" + key + " must be a non-negative number, got '" + values.get(key) + "'");
    }
  }

  String profile() {
    return profile;
  }

  int integer(String key) {
    return (int) number(key);
  }

  double decimal(String key) {
    return number(key);
  }

  String text(String key) {
    return values.get(key);
  }

  /** A path setting, resolved against the repository root when relative. */
  Path path(String key) {
    Path p = Path.of(values.get(key));
    return p.isAbsolute() ? p : root.resolve(p).normalize();
  }

  boolean runs(String phase) {
    return phases().contains(phase);
  }

  List<String> phases() {
    return Arrays.stream(values.get("phases").split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList();
  }

  String javaCommand() {
    String configured = values.get("java");
    if (configured != null && !configured.isBlank()) {
      return configured;
    }
    Path own = Path.of(System.getProperty("java.home"), "bin", "java");
    return Files.isExecutable(own) ? own.toString() : "java";
  }

  /** Offered rate of the chat phase: both sides send one message per interval per conversation. */
  double chatOfferedRate() {
    return integer("conversations") * 2 * 1000.0 / integer("message-interval-ms");
  }

  /** Every setting of the run (targets apart), for the report. */
  String describe() {
    return values.entrySet().stream().filter(e -> !e.getKey().startsWith("target-"))
        .map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(" "));
  }
}
