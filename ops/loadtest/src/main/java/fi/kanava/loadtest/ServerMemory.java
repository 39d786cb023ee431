package fi.kanava.loadtest;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server JVM's memory as the OS sees it, split into the Java heap and everything else. After
 * {@code jcmd <pid> GC.run}, {@code GC.heap_info} gives the heap's reserved address range; the
 * resident pages of {@code /proc/<pid>/smaps} inside it are the heap's share of RSS. So the part
 * of RSS outside the heap can be followed while G1 grows or shrinks (and uncommits) the heap.
 */
final class ServerMemory {
  private static final Logger log = LoggerFactory.getLogger(ServerMemory.class);
  private static final Pattern RANGE = Pattern.compile("heap.*\\[0x([0-9a-f]+), ?0x([0-9a-f]+)\\)");
  private static final Path JCMD = Path.of(System.getProperty("java.home"), "bin", "jcmd");

  /** RSS, and the part of it inside the Java heap's address range (-1 when that is unknown); GC first if it ran. */
  record Sample(long rssKb, long heapRssKb, boolean collected) {
    long outsideHeapKb() {
      return heapRssKb < 0 ? rssKb : rssKb - heapRssKb;
    }
  }

  private ServerMemory() {}

  static Sample sample(long pid) {
    boolean collected = jcmd(pid, "GC.run") != null;
    String heapInfo = jcmd(pid, "GC.heap_info");
    long heapRss = -1;
    Matcher m = heapInfo == null ? null : RANGE.matcher(heapInfo);
    if (m != null && m.find()) {
      heapRss = rssKbInRange(pid, Long.parseUnsignedLong(m.group(1), 16), Long.parseUnsignedLong(m.group(2), 16));
    }
    ProcStats.Proc proc = ProcStats.read(pid);
    return new Sample(proc == null ? 0 : proc.rssKb(), heapRss, collected);
  }

  /** The resident kilobytes of the mappings that lie inside [start, end). */
  private static long rssKbInRange(long pid, long start, long end) {
    long total = 0;
    boolean inside = false;
    try {
      for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "smaps"), StandardCharsets.US_ASCII)) {
        int dash = line.indexOf('-');
        int space = line.indexOf(' ');
        if (dash > 0 && space > dash && line.substring(0, dash).matches("[0-9a-f]+")) {
          long from = Long.parseUnsignedLong(line.substring(0, dash), 16);
          inside = Long.compareUnsigned(from, start) >= 0 && Long.compareUnsigned(from, end) < 0;
        } else if (inside && line.startsWith("Rss:")) {
          total += Long.parseLong(line.substring(4).replace("kB", "").strip());
        }
      }
      return total;
    } catch (IOException | RuntimeException e) {
      log.warn("Could not read /proc/{}/smaps: {}", pid, e.getMessage());
      return -1;
    }
  }

  /** Runs {@code jcmd <pid> <command>}; its output, or null if jcmd is missing or failed. */
  private static String jcmd(long pid, String command) {
    if (!Files.isExecutable(JCMD)) {
      return null;
    }
    try {
      Process p = new ProcessBuilder(JCMD.toString(), Long.toString(pid), command).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      return p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0 ? out : null;
    } catch (IOException e) {
      log.warn("jcmd {} failed: {}", command, e.getMessage());
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }
}
