package fi.kanava.support;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/**
 * Tests that need a program from a Debian package: without it they are skipped with a message naming
 * the package; under CI (CI=true) a missing package fails instead, because .ci/run installs it.
 */
public final class DebianPackages {
  private DebianPackages() {}

  /** Returns normally if {@code executable} is there; otherwise skips the test, or fails it under CI. */
  public static void require(Path executable, String debianPackage, String neededFor) {
    if (Files.isExecutable(executable)) {
      return;
    }
    String message = neededFor + " need Debian's package '" + debianPackage + "' (" + executable + "): apt-get install " + debianPackage;
    if ("true".equals(System.getenv("CI"))) {
      throw new AssertionError(message);
    }
    Assumptions.abort(message);
  }
}
