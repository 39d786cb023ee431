package fi.kanava.web;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.assertions.LocatorAssertions;
import com.microsoft.playwright.options.AriaRole;
import fi.kanava.support.Axe;
import fi.kanava.support.Chromium;
import fi.kanava.support.Fixtures;
import fi.kanava.support.TestApp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A visit's call of three in Chromium through the real server (js/call/call-session.js, a mesh): the physician
 * in the console, the patient by the join link and an interpreter invited into the running call with a link of
 * their own, each in a context of one browser with a fake camera and microphone. Proves what issue 12 asks of
 * the browser beyond two peers: every page decodes the two others' video; the page's network-change path
 * (window 'online', navigator.connection 'change') restarts ICE (new ufrags both ways, relayed by the server)
 * while the call stays connected and the pictures keep moving; audio only is offered from the call's start
 * after a network check that really lost half its pings (the patient's data channel drops every other one, so
 * the server measures it), and by the live stats when they show heavy loss (Chromium's getStats reports
 * packets lost); taking it turns the camera off for the others too. Members are named as the console names
 * them. axe runs on the call screen of three at 360 px.
 */
@DisplayName("In a real browser, a call of three that survives network changes and loss")
class BrowserCallResilienceTest {
  private static final String PATIENT = "Aino Virtanen";
  private static final String INTERPRETER = "Ánde Tulkki";
  private static final String DOCTOR = "Test call-doctor";
  private static final String PREVIEW_PLAYS = "() => document.querySelector('[data-testid=visit-preview]')?.videoWidth > 0";
  private static final String TWO_REMOTES_PLAY =
      "() => [...document.querySelectorAll('[data-testid=call-video-remote]')].filter((v) => v.videoWidth > 0).length === 2";
  private static final String REMOTE_TIMES = "() => [...document.querySelectorAll('[data-testid=call-video-remote]')].map((v) => v.currentTime)";

  /**
   * Before any page script: every RTCPeerConnection is kept in window.__pcs (to read its ufrags and senders);
   * getStats reports a share of received packets as lost once window.__loss is set (Chromium cannot be made
   * to lose packets on loopback); the patient's context also drops every other network-check ping
   * (window.__dropPings), so the server's check really loses half of them.
   */
  private static final String PROBES = """
      (() => {
        const Native = window.RTCPeerConnection;
        window.__pcs = [];
        window.__loss = 0;
        window.RTCPeerConnection = class extends Native {
          constructor(...args) { super(...args); window.__pcs.push(this); }
        };
        const getStats = Native.prototype.getStats;
        Native.prototype.getStats = async function (...args) {
          const report = await getStats.apply(this, args);
          if (!window.__loss) return report;
          const lossy = new Map();
          report.forEach((s, id) => lossy.set(id, s.type === 'inbound-rtp'
              ? { ...s, packetsLost: (s.packetsLost || 0) + Math.round((s.packetsReceived || 0) * window.__loss) } : s));
          return lossy;
        };
        const send = RTCDataChannel.prototype.send;
        let pings = 0;
        RTCDataChannel.prototype.send = function (data) {
          if (window.__dropPings && this.label === 'netcheck' && (pings++) % 2 === 1) return;
          return send.call(this, data);
        };
      })();""";
  /** The highest video send limit (encodings[0].maxBitrate) over the page's open connections, 0 when none is set. */
  private static final String VIDEO_BITRATE = """
      () => Math.max(0, ...window.__pcs.filter((pc) => pc.signalingState !== 'closed').flatMap((pc) => pc.getSenders())
          .filter((s) => s.track && s.track.kind === 'video').map((s) => ((s.getParameters().encodings || [])[0] || {}).maxBitrate || 0))""";
  /** Each open connection's local and remote ICE ufrag ("local|remote") and whether it is connected. */
  private static final String UFRAGS = """
      () => window.__pcs.filter((pc) => pc.signalingState !== 'closed' && pc.localDescription && pc.remoteDescription)
          .map((pc) => {
            const ufrag = (sdp) => (/a=ice-ufrag:(\\S+)/.exec(sdp) || [])[1];
            return ufrag(pc.localDescription.sdp) + '|' + ufrag(pc.remoteDescription.sdp) + '|' + pc.iceConnectionState;
          })""";
  /** True once every open connection has new ufrags on both sides (none of `before`) and is connected again. */
  private static final String RESTARTED = """
      (before) => {
        const now = (%s)();
        const old = new Set(before.flatMap((s) => s.split('|').slice(0, 2)));
        return now.length === before.length && now.every((s) => {
          const [local, remote, ice] = s.split('|');
          return !old.has(local) && !old.has(remote) && (ice === 'connected' || ice === 'completed');
        });
      }""".formatted(UFRAGS);

  @Test
  @DisplayName("three in a mesh, axe at 360 px; ICE restarts on a network change keep the call; audio only offered after a lossy check and on live loss")
  void a_call_of_three_survives_network_changes_and_loss() {
    try (Chromium chromium = Chromium.launch(); TestApp t = TestApp.startBesideBrowser()) {
      t.clock.advance(Duration.between(t.clock.instant(), Instant.now()));
      Fixtures f = new Fixtures(t).organisations();
      f.account("call-doctor", "physician");
      String base = "http://localhost:" + t.app.port();

      try (BrowserContext proContext = context(chromium, "en-GB", 1280, 800, "");
          BrowserContext patientContext = context(chromium, "fi-FI", 360, 740, "window.__dropPings = true;");
          BrowserContext interpreterContext = context(chromium, "fi-FI", 360, 740, "")) {
        List<String> scriptErrors = new ArrayList<>();

        // the physician books a visit and opens its call
        Page console = proContext.newPage();
        console.onPageError(scriptErrors::add);
        console.navigate(base + "/console");
        console.getByTestId("login-username").fill("call-doctor");
        console.getByTestId("login-password").fill(Fixtures.PASSWORD);
        console.getByTestId("login-submit").click();
        console.getByTestId("visits-tab").click();
        console.getByTestId("visit-book-open").click();
        console.getByTestId("visit-book-patient").fill(PATIENT);
        console.getByTestId("visit-book-submit").click();
        Locator link = console.getByTestId("visit-join-link");
        assertThat(link).hasValue(Pattern.compile("/visit\\.html#code="));
        String patientLink = link.inputValue().replaceFirst("^https?://[^/]+", base);

        // the patient's network check loses half its pings: the server measures 50 %, the console shows it
        Page patient = patientContext.newPage();
        patient.onPageError(scriptErrors::add);
        throughChecks(patient, patientLink);
        assertThat(patient.getByTestId("visit-net-result")).containsText("50 % kadonnut");
        patient.getByTestId("visit-net-done").click();
        assertThat(console.getByTestId("visit-waiting-check")).containsText("50 % lost");
        console.getByTestId("visit-admit").click();
        console.getByTestId("visit-join-call").click();
        active(console, patient);
        // heavy loss in the check: audio only is offered from the call's start (and stays until taken or declined)
        assertThat(patient.getByTestId("call-suggest-audio-only")).isVisible();
        assertThat(console.getByTestId("call-suggest-audio-only")).hasCount(0);
        // the physician's tile for the patient carries the name the visit was booked with
        assertThat(tile(console, PATIENT)).isVisible();

        // an interpreter is invited into the running call with a link of their own, waits and is admitted
        console.getByTestId("visit-invite-open").click();
        console.getByTestId("visit-invite-name").fill(INTERPRETER);
        console.getByTestId("visit-invite-submit").click();
        Locator interpreterLinkField = console.getByTestId("visit-members").locator("input[readonly]");
        assertThat(interpreterLinkField).hasValue(Pattern.compile("/visit\\.html#code="));
        Page interpreter = interpreterContext.newPage();
        interpreter.onPageError(scriptErrors::add);
        throughChecks(interpreter, interpreterLinkField.inputValue().replaceFirst("^https?://[^/]+", base));
        interpreter.getByTestId("visit-net-done").click();
        assertThat(interpreter.getByTestId("visit-waiting")).isVisible();
        console.getByTestId("visit-admit").click();
        active(interpreter);

        // a mesh of three: every page decodes the two others' video and names them
        for (Page page : List.of(console, patient, interpreter)) {
          assertThat(page.locator("li.call-tile")).hasCount(3);
          page.waitForFunction(TWO_REMOTES_PLAY);
          active(page);
        }
        assertThat(tile(console, INTERPRETER)).isVisible();
        assertThat(tile(patient, DOCTOR)).isVisible();
        assertThat(tile(patient, INTERPRETER)).isVisible();
        assertThat(tile(interpreter, PATIENT)).isVisible();
        assertThat(interpreter.getByTestId("call-suggest-audio-only")).hasCount(0);
        Axe.assertNoViolations(patient, "patient, a call of three at 360 px, audio only offered");
        Axe.assertNoViolations(interpreter, "interpreter, a call of three at 360 px");
        console.setViewportSize(360, 800);
        Axe.assertNoViolations(console, "console, a call of three at 360 px");
        console.setViewportSize(1280, 800);

        // the network changes under the physician (back online) and the interpreter (another network)
        restartsIce(console, "() => window.dispatchEvent(new Event('online'))", console, patient, interpreter);
        restartsIce(interpreter, "() => { navigator.connection.dispatchEvent(new Event('change')); }", console, patient, interpreter);

        // the video starts at a modest bitrate (300 kbps) and adapts: a clean line raises it...
        interpreter.waitForFunction("() => (" + VIDEO_BITRATE + ")() > 300000", null,
            new Page.WaitForFunctionOptions().setTimeout(30_000));
        double raised = ((Number) interpreter.evaluate(VIDEO_BITRATE)).doubleValue();
        org.assertj.core.api.Assertions.assertThat(raised).as("raised video bitrate").isLessThanOrEqualTo(1_200_000);

        // ...and live stats that show heavy loss on the interpreter's side lower it again, then offer audio only, which is
        // taken, and the others see the camera off
        interpreter.evaluate("() => { window.__loss = 0.25; }");
        interpreter.waitForFunction("() => (" + VIDEO_BITRATE + ")() < " + raised, null,
            new Page.WaitForFunctionOptions().setTimeout(30_000));
        Locator offer = interpreter.getByTestId("call-suggest-audio-only");
        assertThat(offer).isVisible(new LocatorAssertions.IsVisibleOptions().setTimeout(30_000));
        Axe.assertNoViolations(interpreter, "interpreter, audio only offered on live loss");
        offer.getByRole(AriaRole.BUTTON).first().click();
        audioOnly(interpreter, INTERPRETER, console, patient);
        interpreter.evaluate("() => { window.__loss = 0; }");

        // the patient takes the offer the network check made
        patient.getByTestId("call-suggest-audio-only").getByRole(AriaRole.BUTTON).first().click();
        audioOnly(patient, PATIENT, console, interpreter);
        for (Page page : List.of(console, patient, interpreter)) active(page);
        org.assertj.core.api.Assertions.assertThat(scriptErrors).as("script errors on the pages").isEmpty();
      }
    }
  }

  private static BrowserContext context(Chromium chromium, String locale, int width, int height, String before) {
    BrowserContext context = chromium.browser.newContext(new Browser.NewContextOptions().setLocale(locale)
        .setTimezoneId("Europe/Helsinki").setViewportSize(width, height));
    context.addInitScript(before + PROBES);
    return context;
  }

  /** Opens a join link and passes the device check and the network check (its result shown, not yet taken). */
  private static void throughChecks(Page page, String link) {
    page.navigate(link);
    assertThat(page.getByTestId("visit-devices")).isVisible();
    page.waitForFunction(PREVIEW_PLAYS);
    page.getByTestId("visit-devices-done").click();
    assertThat(page.getByTestId("visit-net-result")).hasAttribute("data-result", Pattern.compile("connected|relayed"),
        new LocatorAssertions.HasAttributeOptions().setTimeout(30_000));
  }

  private static void active(Page... pages) {
    for (Page page : pages) {
      assertThat(page.getByTestId("call-status")).hasAttribute("data-phase", "active",
          new LocatorAssertions.HasAttributeOptions().setTimeout(20_000));
    }
  }

  private static Locator tile(Page page, String name) {
    return page.locator("li.call-tile").filter(new Locator.FilterOptions().setHasText(name));
  }

  /**
   * The page's network-change path restarts ICE with both its peers: new local and remote ufrags (the restart
   * offer went through the server and was answered), connected again, and every page's remote pictures move on.
   */
  private static void restartsIce(Page page, String networkChange, Page... all) {
    @SuppressWarnings("unchecked")
    List<String> before = (List<String>) page.evaluate(UFRAGS);
    org.assertj.core.api.Assertions.assertThat(before).as("connections before the change").hasSize(2);
    List<Object> times = new ArrayList<>();
    for (Page p : all) times.add(p.evaluate(REMOTE_TIMES));
    page.evaluate(networkChange);
    page.waitForFunction(RESTARTED, before);
    for (int i = 0; i < all.length; i++) {
      all[i].waitForFunction("(before) => (" + REMOTE_TIMES + ")().every((time, i) => time > before[i] + 1)", times.get(i));
      active(all[i]);
    }
  }

  /** The page went audio only: its camera is off here (no video sent to anyone) and on the others' tiles. */
  private static void audioOnly(Page page, String name, Page... others) {
    assertThat(page.getByTestId("call-suggest-audio-only")).hasCount(0);
    assertThat(page.getByTestId("call-audio-only")).hasAttribute("aria-pressed", "true");
    assertThat(page.getByTestId("call-tile-self")).hasAttribute("data-video", "off");
    page.waitForFunction("() => window.__pcs.filter((pc) => pc.signalingState !== 'closed')"
        + ".every((pc) => pc.getSenders().every((s) => !s.track || s.track.kind !== 'video'))");
    for (Page other : others) assertThat(tile(other, name)).hasAttribute("data-video", "off");
  }
}
