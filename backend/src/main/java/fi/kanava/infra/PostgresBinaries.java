package fi.kanava.infra;

import io.zonky.test.db.postgres.embedded.DefaultPostgresBinaryResolver;
import io.zonky.test.db.postgres.embedded.PgBinaryResolver;
import io.zonky.test.db.postgres.util.LinuxUtils;
import java.io.ByteArrayInputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * The PostgreSQL binaries that zonky ships and unpacks, and how to run them ourselves: zonky runs
 * initdb and the first start, but has no single-user mode (to set passwords before the server
 * listens) and cannot restart a server that died. It unpacks the archive it gets from its resolver
 * into {@code <working directory>/PG-<md5 of the archive>}; being that resolver, we know the digest
 * and so the directory.
 */
final class PostgresBinaries implements PgBinaryResolver {
  static final PostgresBinaries INSTANCE = new PostgresBinaries();

  private final File workingDirectory = new File(System.getProperty("ot.epg.working-dir",
      new File(System.getProperty("java.io.tmpdir"), "embedded-pg").getPath()));
  private volatile Path home;

  private PostgresBinaries() {}

  /** Where zonky unpacks (its own default, given to it explicitly so that both sides agree). */
  File workingDirectory() {
    return workingDirectory;
  }

  @Override
  public InputStream getPgBinary(String system, String machineHardware) throws IOException {
    try (InputStream in = DefaultPostgresBinaryResolver.INSTANCE.getPgBinary(system, machineHardware)) {
      if (in == null) {
        return null;
      }
      byte[] archive = in.readAllBytes();
      home = workingDirectory.toPath().resolve("PG-" + HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(archive)));
      return new ByteArrayInputStream(archive);
    } catch (NoSuchAlgorithmException e) {
      throw new IOException(e);
    }
  }

  /**
   * The command line that runs one of the binaries. PostgreSQL refuses to run as root; when we are
   * root, zonky runs it in a new user namespace ({@code unshare -U}), where it is an unprivileged
   * user that still owns the data directory, and so do we.
   */
  List<String> command(String tool, String... arguments) throws IOException {
    Path binary = home == null ? null : home.resolve("bin").resolve(tool);
    if (binary == null || !Files.isExecutable(binary)) {
      throw new IOException("the PostgreSQL binary " + tool + " was not found where zonky unpacks it (" + home + ")");
    }
    List<String> command = new ArrayList<>();
    if (LinuxUtils.isUnshareAvailable()) {
      command.addAll(List.of("unshare", "-U"));
    }
    command.add(binary.toString());
    command.addAll(List.of(arguments));
    return command;
  }

  /** What a finished command printed (standard output and error together) and its exit status. */
  record Result(int exitCode, String output) {}

  /** Runs a command to its end, feeding it {@code input}; blocking. */
  static Result run(List<String> command, String input) throws IOException {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    try (var stdin = process.getOutputStream()) {
      stdin.write(input.getBytes(StandardCharsets.UTF_8));
    }
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    try {
      return new Result(process.waitFor(), output.strip());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroy();
      throw new IOException("interrupted while running " + command.get(command.size() - 1), e);
    }
  }
}
