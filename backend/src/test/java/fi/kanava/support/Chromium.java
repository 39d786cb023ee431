package fi.kanava.support;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Playwright;
import java.nio.file.Path;
import java.util.List;

/**
 * Debian's Chromium driven by Playwright. Without the package the browser tests are skipped, or fail
 * under CI ({@link DebianPackages}).
 */
public final class Chromium implements AutoCloseable {
  public static final Path EXECUTABLE = Path.of("/usr/bin/chromium");
  public static final String PACKAGE = "chromium";

  public final Playwright playwright;
  public final Browser browser;

  private Chromium(Playwright playwright, Browser browser) {
    this.playwright = playwright;
    this.browser = browser;
  }

  public static Chromium launch() {
    DebianPackages.require(EXECUTABLE, PACKAGE, "Browser tests");
    Playwright playwright = Playwright.create(new Playwright.CreateOptions()
        .setEnv(java.util.Map.of("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")));
    Browser browser = playwright.chromium().launch(new BrowserType.LaunchOptions()
        .setExecutablePath(EXECUTABLE)
        .setHeadless(true)
        .setArgs(List.of("--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream")));
    return new Chromium(playwright, browser);
  }

  @Override
  public void close() {
    browser.close();
    playwright.close();
  }
}
