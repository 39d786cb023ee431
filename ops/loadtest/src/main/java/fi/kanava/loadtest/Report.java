package fi.kanava.loadtest;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

/**
 * The run's report in Markdown: the targets first (MET / NOT MET with the measured figure), then
 * the machine, then one section per phase. Sections are added as phases finish, so a run that
 * fails or times out still reports what it measured.
 */
final class Report {
  private final Settings settings;
  private final Instant started = Instant.now().truncatedTo(ChronoUnit.SECONDS);
  private final List<String[]> targets = new ArrayList<>();
  private final StringBuilder body = new StringBuilder();
  private final List<String> notes = new ArrayList<>();

  Report(Settings settings) {
    this.settings = settings;
  }

  synchronized void section(String title) {
    body.append("\n## ").append(title).append("\n\n");
  }

  synchronized void line(String text) {
    body.append(text).append('\n');
  }

  synchronized void blank() {
    body.append('\n');
  }

  /** A target and how it went; {@code measured} null when the phase did not run. */
  synchronized void target(String name, String measured, boolean met) {
    targets.add(new String[] {name, measured == null ? "not measured" : measured, measured == null ? "NOT MEASURED" : met ? "MET" : "NOT MET"});
  }

  /** A child's grouped warnings and errors (ChildProcess.problems), or that there were none. */
  synchronized void problems(List<String> problems) {
    if (problems.isEmpty()) {
      line("No warnings, errors or blocked-thread reports.");
      return;
    }
    line("Warnings, errors and blocked-thread reports (grouped, numbers blanked):");
    blank();
    problems.forEach(p -> line("- `" + p.replace('`', '\'') + "`"));
  }

  synchronized void note(String text) {
    notes.add(text);
  }

  synchronized String render() {
    StringBuilder out = new StringBuilder("# Kanava load test report\n\n");
    out.append("- Profile: **").append(settings.profile()).append("**");
    if (settings.profile().equals("smoke")) {
      out.append(" (small smoke run: its figures are far below the targets' scale and say little about them)");
    }
    out.append("\n- Started: ").append(started).append("\n- Settings: `").append(settings.describe()).append("`\n");
    out.append("\n## Targets\n\n| Target | Measured | Result |\n|---|---|---|\n");
    for (String[] t : targets) {
      out.append("| ").append(t[0]).append(" | ").append(t[1]).append(" | **").append(t[2]).append("** |\n");
    }
    out.append("\n## Machine\n\n");
    MachineInfo.describe().forEach(l -> out.append(l).append('\n'));
    out.append(body);
    if (!notes.isEmpty()) {
      out.append("\n## Notes\n\n");
      notes.forEach(n -> out.append("- ").append(n).append('\n'));
    }
    return out.toString();
  }

  void write(Path file) {
    try {
      Files.createDirectories(file.getParent());
      Files.writeString(file, render(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      System.err.println("Could not write the report to " + file + ": " + e.getMessage());
    }
  }

  /** A whole number with thousands separators. */
  static String num(double value) {
    return Double.isNaN(value) ? "–" : String.format("%,.0f", value);
  }

  /** A message rate: {@code 2,000 msg/s}. */
  static String rate(double perSecond) {
    return Double.isNaN(perSecond) ? "–" : String.format("%,.0f msg/s", perSecond);
  }
}
