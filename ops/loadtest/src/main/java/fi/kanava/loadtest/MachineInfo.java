package fi.kanava.loadtest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The machine the run was on: cores, CPU model, memory, Java and the kernel. */
final class MachineInfo {
  private MachineInfo() {}

  static List<String> describe() {
    return List.of(
        "- Cores (nproc): " + Runtime.getRuntime().availableProcessors(),
        "- CPU: " + field("/proc/cpuinfo", "model name", ":"),
        "- Memory: " + memory(),
        "- Java: " + System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version")
            + " (" + System.getProperty("java.vendor") + ")",
        "- OS: " + System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"),
        "- Open-file limit (soft hard): " + field("/proc/self/limits", "Max open files", "Max open files").replaceAll("\\s+files$", "")
            .replaceAll("\\s+", " ").strip());
  }

  private static String memory() {
    String total = field("/proc/meminfo", "MemTotal", ":");
    try {
      return String.format("%.1f GB", Long.parseLong(total.replace("kB", "").strip()) / 1024.0 / 1024.0);
    } catch (NumberFormatException e) {
      return total;
    }
  }

  private static String field(String file, String name, String separator) {
    try {
      for (String line : Files.readAllLines(Path.of(file))) {
        if (line.startsWith(name)) {
          return line.substring(line.indexOf(separator) + separator.length()).strip();
        }
      }
    } catch (IOException e) {
      return "unknown";
    }
    return "unknown";
  }
}
