package fi.kanava.web;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static fi.kanava.support.ChatFixtures.send;
import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.WebSocketRoute;
import com.microsoft.playwright.assertions.LocatorAssertions;
import fi.kanava.support.ChatFixtures;
import fi.kanava.support.ChatFixtures.Pro;
import fi.kanava.support.Chromium;
import fi.kanava.support.Fixtures;
import fi.kanava.support.LostCommits;
import fi.kanava.support.PatientPages;
import fi.kanava.support.TestApp;
import fi.kanava.support.WsClient;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The patient page when numbers would go backwards (a lost commit, done by hand as the database
 * owner) and when its socket goes away: it resynchronises, sends its own lost message again, shows
 * someone else's as lost, and delivers a message sent while offline, or whose ack was lost, once.
 * The nurse is a plain socket client.
 */
@DisplayName("In a real browser, nothing is dropped or lost")
class BrowserResyncTest {
  private static final LocatorAssertions.ContainsTextOptions RECONNECT_WAIT = new LocatorAssertions.ContainsTextOptions().setTimeout(30_000);

  /** How the test cuts a connection (Playwright wants a close code). */
  private static final WebSocketRoute.CloseOptions CUT = new WebSocketRoute.CloseOptions().setCode(4000).setReason("cut by the test");

  /** Cuts the page's socket, on both sides, as a lost network would. */
  private static void cut(AtomicReference<WebSocketRoute> pageSide, AtomicReference<WebSocketRoute> serverSide) {
    pageSide.get().close(CUT);
    serverSide.get().close(CUT);
  }

  /** The patient, on a phone-sized page, starts anonymously, answers and waits in the queue. */
  private static Page enterQueue(BrowserContext context, String base, String queue) {
    return enterQueue(context.newPage(), base, queue);
  }

  private static Page enterQueue(Page patient, String base, String queue) {
    PatientPages.answerAndQueue(patient, base, queue, "Muu");
    assertThat(patient.locator("#waiting")).isVisible();
    return patient;
  }

  /** The nurse takes the one conversation waiting in the queue; returns its id once the page shows the chat. */
  private static String take(TestApp t, Pro nurse, Page patient, String queue) {
    String id = t.row("select id from conversation where queue_id = $1", queue).getUUID(0).toString();
    JsonObject taken = nurse.ws().request(new JsonObject().put("type", "conversation.take").put("conversationId", id));
    assertThat(taken.getString("type")).as(taken.encode()).isEqualTo("conversation.state");
    assertThat(patient.getByTestId("chat-input")).isVisible();
    return id;
  }

  private static Predicate<JsonObject> message(String text) {
    return fr -> "message".equals(fr.getString("type")) && text.equals(fr.getString("text"));
  }

  private static long count(WsClient ws, String text) {
    return ws.all("message").stream().filter(message(text)).count();
  }

  private static long stored(TestApp t, String id, String text) {
    return t.row("select count(*) from message where conversation_id = $1 and body = $2", UUID.fromString(id), text).getLong(0);
  }

  private static void write(Page patient, String text) {
    patient.getByTestId("chat-input").fill(text);
    patient.getByTestId("chat-send").click();
  }

  private static Locator item(Page patient, String text) {
    return patient.getByTestId("message-list").locator("li", new Locator.LocatorOptions().setHasText(text));
  }

  @Test
  @DisplayName("after a lost commit the page shows the next message, sends its own lost one again and marks the nurse's as lost")
  void the_page_resynchronises_when_the_store_lost_messages() {
    try (Chromium chromium = Chromium.launch(); TestApp t = TestApp.startBesideBrowser()) {
      Fixtures f = new Fixtures(t).organisations();
      ChatFixtures c = new ChatFixtures(t, f);
      try (Pro nurse = c.professional("resync-nurse", "nurse", null);
          BrowserContext context = chromium.browser.newContext(new Browser.NewContextOptions().setLocale("fi-FI").setViewportSize(390, 844))) {
        c.createQueue(ChatFixtures.queue("resync-chat", "pick"), nurse.id());
        Page patient = enterQueue(context, "http://localhost:" + t.app.port(), "resync-chat");
        String id = take(t, nurse, patient, "resync-chat");
        nurse.ws().request(send(id, "n1", "Hei, olen hoitaja."));
        assertThat(patient.getByTestId("message-list")).containsText("Hei, olen hoitaja.");

        // the patient's message is acknowledged, then lost with the database's last commit
        write(patient, "Minulla on kuumetta.");
        JsonObject first = nurse.ws().await(message("Minulla on kuumetta."));
        assertThat(item(patient, "Minulla on kuumetta.")).hasAttribute("data-status", "sent");
        assertThat(LostCommits.loseLastMessage(t, id)).isEqualTo(first.getLong("seq"));

        // the nurse's next message: numbered above the lost one; the page resynchronises and shows it
        JsonObject next = nurse.ws().request(send(id, "n2", "Kuinka monta päivää?"));
        assertThat(next.getLong("seq")).isEqualTo(first.getLong("seq") + 1);
        assertThat(patient.getByTestId("message-list")).containsText("Kuinka monta päivää?");
        // and sends its own lost message again, with the same clientMsgId: stored anew, once
        JsonObject again = nurse.ws().await(message("Minulla on kuumetta.").and(fr -> fr.getLong("seq") > next.getLong("seq")));
        assertThat(again.getString("clientMsgId")).isEqualTo(first.getString("clientMsgId"));
        assertThat(item(patient, "Minulla on kuumetta.")).hasCount(1);
        assertThat(item(patient, "Minulla on kuumetta.")).hasAttribute("data-status", "sent");
        assertThat(item(patient, "Kuinka monta päivää?")).hasCount(1);
        assertThat(stored(t, id, "Minulla on kuumetta.")).isEqualTo(1);

        // a message of the nurse's that the store loses is shown as lost, not silently kept or removed
        nurse.ws().request(send(id, "n3", "Tämä viesti katoaa."));
        assertThat(patient.getByTestId("message-list")).containsText("Tämä viesti katoaa.");
        LostCommits.loseLastMessage(t, id);
        nurse.ws().request(send(id, "n4", "Onko sinulla muita oireita?"));
        assertThat(patient.getByTestId("message-list")).containsText("Onko sinulla muita oireita?");
        assertThat(item(patient, "Tämä viesti katoaa.")).hasAttribute("data-status", "lost");
        assertThat(item(patient, "Tämä viesti katoaa.")).containsText("Palvelin kadotti viestin");
        assertThat(item(patient, "Onko sinulla muita oireita?")).hasCount(1);
        assertThat(nurse.ws().all("message").stream().filter(message("Minulla on kuumetta.")).map(fr -> fr.getString("id")).distinct())
            .as("the original, then the copy sent again (resynchronised sockets get each again, with its id)").hasSize(2);
      }
    }
  }

  @Test
  @DisplayName("a message written while the socket is down, and one whose ack is lost, are each delivered once after reconnecting")
  void the_outbox_sends_again_with_the_same_client_message_id() {
    try (Chromium chromium = Chromium.launch(); TestApp t = TestApp.startBesideBrowser()) {
      Fixtures f = new Fixtures(t).organisations();
      ChatFixtures c = new ChatFixtures(t, f);
      try (Pro nurse = c.professional("outbox-nurse", "nurse", null);
          BrowserContext context = chromium.browser.newContext(new Browser.NewContextOptions().setLocale("fi-FI").setViewportSize(390, 844))) {
        c.createQueue(ChatFixtures.queue("outbox-chat", "pick"), nurse.id());
        // the page's socket passes through the test, which can refuse it, cut it, or swallow what the server says
        AtomicBoolean refuse = new AtomicBoolean();
        AtomicBoolean swallowAfterSend = new AtomicBoolean();
        AtomicReference<WebSocketRoute> pageSide = new AtomicReference<>();
        AtomicReference<WebSocketRoute> serverSide = new AtomicReference<>();
        Page patient = context.newPage();
        patient.routeWebSocket(Pattern.compile(".*/ws$"), ws -> {
          if (refuse.get()) {
            ws.close(CUT);
            return;
          }
          WebSocketRoute server = ws.connectToServer();
          AtomicBoolean swallowing = new AtomicBoolean();
          pageSide.set(ws);
          serverSide.set(server);
          ws.onMessage(frame -> {
            if (swallowAfterSend.get() && frame.text().contains("\"message.send\"")) {
              swallowing.set(true); // the server stores it, but neither the ack nor the message reaches the page
            }
            server.send(frame.text());
          });
          server.onMessage(frame -> {
            if (!swallowing.get()) {
              ws.send(frame.text());
            }
          });
        });
        enterQueue(patient, "http://localhost:" + t.app.port(), "outbox-chat");
        String id = take(t, nurse, patient, "outbox-chat");

        // the connection goes and stays away while the patient writes
        refuse.set(true);
        cut(pageSide, serverSide);
        assertThat(patient.getByTestId("connection-status")).not().hasAttribute("data-state", "online");
        write(patient, "Kirjoitettu ilman yhteyttä.");
        assertThat(item(patient, "Kirjoitettu ilman yhteyttä.")).hasAttribute("data-status", "sending");
        refuse.set(false);
        assertThat(item(patient, "Kirjoitettu ilman yhteyttä.")).containsText("Lähetetty", RECONNECT_WAIT);
        patient.waitForCondition(() -> count(nurse.ws(), "Kirjoitettu ilman yhteyttä.") >= 1);

        // the next send is stored, but its answer never comes back before the socket is cut
        swallowAfterSend.set(true);
        write(patient, "Kuittaus katoaa.");
        patient.waitForCondition(() -> count(nurse.ws(), "Kuittaus katoaa.") >= 1);
        swallowAfterSend.set(false);
        cut(pageSide, serverSide);
        assertThat(item(patient, "Kuittaus katoaa.")).containsText("Lähetetty", RECONNECT_WAIT);

        // a later message marks the point by which any duplicate would have reached the nurse
        write(patient, "Kiitos.");
        patient.waitForCondition(() -> count(nurse.ws(), "Kiitos.") >= 1);
        for (String text : new String[] {"Kirjoitettu ilman yhteyttä.", "Kuittaus katoaa."}) {
          assertThat(count(nurse.ws(), text)).as(text).isEqualTo(1);
          assertThat(stored(t, id, text)).as(text).isEqualTo(1);
          assertThat(item(patient, text)).hasCount(1);
        }
      }
    }
  }
  @Test
  @DisplayName("a page that gets a number it holds, for another message, resynchronises itself from the store")
  void the_page_checks_the_numbering_itself() {
    try (Chromium chromium = Chromium.launch(); TestApp t = TestApp.startBesideBrowser()) {
      Fixtures f = new Fixtures(t).organisations();
      ChatFixtures c = new ChatFixtures(t, f);
      try (Pro nurse = c.professional("check-nurse", "nurse", null);
          BrowserContext context = chromium.browser.newContext(new Browser.NewContextOptions().setLocale("fi-FI").setViewportSize(390, 844))) {
        c.createQueue(ChatFixtures.queue("check-chat", "pick"), nurse.id());
        AtomicReference<WebSocketRoute> pageSide = new AtomicReference<>();
        List<JsonObject> fromPage = new CopyOnWriteArrayList<>();
        Page patient = context.newPage();
        patient.routeWebSocket(Pattern.compile(".*/ws$"), ws -> {
          WebSocketRoute server = ws.connectToServer();
          pageSide.set(ws);
          ws.onMessage(frame -> {
            fromPage.add(new JsonObject(frame.text()));
            server.send(frame.text());
          });
          server.onMessage(frame -> ws.send(frame.text()));
        });
        enterQueue(patient, "http://localhost:" + t.app.port(), "check-chat");
        String id = take(t, nurse, patient, "check-chat");
        JsonObject held = nurse.ws().request(send(id, "n1", "Hei, olen hoitaja."));
        assertThat(patient.getByTestId("message-list")).containsText("Hei, olen hoitaja.");

        // a server that did not notice gives the page that number again, for a message the store does not have
        JsonObject stranger = new JsonObject().put("type", "message").put("conversationId", id).put("seq", held.getLong("seq"))
            .put("id", UUID.randomUUID().toString()).put("kind", "text").put("clientMsgId", "n-x")
            .put("sender", new JsonObject().put("kind", "professional").put("name", "Test check-nurse").put("role", "nurse"))
            .put("at", "2026-03-02T08:05:00Z").put("text", "Ei tallessa.");
        pageSide.get().send(stranger.encode());

        // the page does not drop it as one it has: it asks the store for everything and keeps what the store has
        patient.waitForCondition(() -> fromPage.stream().anyMatch(fr -> "conversation.open".equals(fr.getString("type"))
            && fr.getLong("afterSeq", -1L) == 0 && id.equals(fr.getString("conversationId"))));
        assertThat(item(patient, "Ei tallessa.")).hasAttribute("data-status", "lost");
        assertThat(item(patient, "Hei, olen hoitaja.")).hasCount(1);
        assertThat(item(patient, "Hei, olen hoitaja.")).not().hasAttribute("data-status", "lost");
        nurse.ws().request(send(id, "n2", "Miten voin auttaa?"));
        assertThat(item(patient, "Miten voin auttaa?")).hasCount(1);
      }
    }
  }
}
