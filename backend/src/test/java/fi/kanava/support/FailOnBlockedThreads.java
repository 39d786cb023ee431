package fi.kanava.support;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Registered for every test (JUnit extension auto-detection): a test during which Vert.x reported
 * a blocked event loop or worker fails, naming the warning. Warnings raised while a class sets up
 * (BeforeAll) fail its first test; those raised while it tears down fail the class.
 */
public final class FailOnBlockedThreads implements AfterEachCallback, AfterAllCallback {

  @Override
  public void afterEach(ExtensionContext context) {
    check();
  }

  @Override
  public void afterAll(ExtensionContext context) {
    check();
  }

  private static void check() {
    List<String> warnings = new ArrayList<>(BlockedThreadRecorder.WARNINGS);
    BlockedThreadRecorder.WARNINGS.clear();
    if (!warnings.isEmpty()) {
      throw new AssertionError("Vert.x reported a blocked thread during this test: " + warnings.get(0));
    }
  }
}
