package fi.kanava.rtc;

import static org.assertj.core.api.Assertions.assertThat;

import fi.kanava.support.ChatFixtures;
import fi.kanava.support.ChatFixtures.Patient;
import fi.kanava.support.ChatFixtures.Pro;
import fi.kanava.support.Fixtures;
import fi.kanava.support.TestApp;
import fi.kanava.support.WsClient;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Inviting a colleague into a running chat call (docs/protocol.md, "Calls"): over real sockets and a
 * real database; the media side of a mesh of four is RtcMeshTest's.
 */
@DisplayName("A colleague invited into a chat call")
class RtcColleagueTest {
  TestApp t;
  ChatFixtures c;
  Pro nurse;
  Patient patient;
  String conversationId;

  @BeforeEach
  void start() {
    t = TestApp.start(Map.of("ws.rate-limit-burst", "200"));
    c = new ChatFixtures(t, new Fixtures(t).organisations());
    nurse = c.professional("call-nurse", "nurse", "available");
    c.createQueue(ChatFixtures.queue("chat", "auto"), nurse.id());
    patient = c.anonymousPatient();
    conversationId = ChatFixtures.activeChat(patient, nurse, "chat");
  }

  @AfterEach
  void stop() {
    patient.close();
    nurse.close();
    t.close();
  }

  private static String type(JsonObject frame) {
    return frame.getString("type");
  }

  private static JsonObject frame(String type, String callId) {
    return new JsonObject().put("type", type).put("callId", callId);
  }

  /** A physician the nurse consulted about the chat, who accepted: the access policy lets them read it. */
  private Pro consultant(String username) {
    Pro doctor = c.professional(username, "physician", null);
    JsonObject opened = nurse.ws().request(new JsonObject().put("type", "consult.open").put("toAccountId", doctor.id().toString())
        .put("urgency", "urgent").put("isbar", new JsonObject().put("situation", "Ihottuma, katsotko videolla?"))
        .put("caseConversationId", conversationId));
    assertThat(type(opened)).as(opened.encode()).isEqualTo("consult.opened");
    JsonObject accepted = doctor.ws().request(new JsonObject().put("type", "consult.accept")
        .put("consultationId", opened.getJsonObject("consultation").getString("id")));
    assertThat(type(accepted)).as(accepted.encode()).isEqualTo("consult.updated");
    return doctor;
  }

  private static JsonObject invite(WsClient ws, String callId, Pro colleague) {
    return ws.request(frame("rtc.invite-colleague", callId).put("accountId", colleague.id().toString()));
  }

  private static JsonObject join(WsClient ws, String callId) {
    JsonObject joined = ws.request(frame("rtc.join", callId));
    assertThat(type(joined)).as(joined.encode()).isEqualTo("rtc.joined");
    return joined;
  }

  private long audited(String outcome) {
    return t.row("select count(*) from audit_event where purpose = 'call_invite_colleague' and outcome = $1 and resource_id = $2", outcome,
        conversationId).getLong(0);
  }

  @Test
  @DisplayName("consultants of the chat are invited into the running call, ring and join as colleagues up to four; a fifth is call_full;"
      + " outsiders and patients are refused and audited, and nothing reaches the call")
  void colleagues_join_a_running_chat_call_up_to_four() {
    Pro first = consultant("call-doctor-1");
    Pro second = consultant("call-doctor-2");
    Pro third = consultant("call-doctor-3");
    Pro outsider = c.professional("call-outsider", "nurse", null);
    try (first; second; third; outsider) {
      String callId = nurse.ws().request(new JsonObject().put("type", "rtc.invite").put("conversationId", conversationId)).getString("callId");
      String nursePeer = join(nurse.ws(), callId).getString("peerId");
      // invited before the patient answers: joining early does not answer for the patient
      JsonObject invited = invite(nurse.ws(), callId, first);
      assertThat(type(invited)).as(invited.encode()).isEqualTo("rtc.colleague-invited");
      assertThat(invited.getJsonObject("colleague").getString("accountId")).isEqualTo(first.id().toString());
      assertThat(invited.getJsonObject("colleague").getString("name")).isEqualTo("Test call-doctor-1");
      JsonObject rings = first.ws().awaitType("rtc.incoming");
      assertThat(rings.getString("callId")).isEqualTo(callId);
      assertThat(rings.getString("conversationId")).isEqualTo(conversationId);
      assertThat(rings.getJsonObject("from").getString("name")).isEqualTo("Test call-nurse");
      JsonObject firstJoin = join(first.ws(), callId);
      assertThat(firstJoin.getJsonArray("peers").getJsonObject(0).getString("peerId")).isEqualTo(nursePeer);
      assertThat(t.row("select state from call where id = $1", UUID.fromString(callId)).getString(0)).isEqualTo("ringing");
      JsonObject peerJoined = nurse.ws().awaitType("rtc.peer-joined");
      assertThat(peerJoined.getJsonObject("peer").getString("role")).isEqualTo("colleague");
      assertThat(peerJoined.getJsonObject("peer").getString("name")).isEqualTo("Test call-doctor-1");

      // the patient answers; the call runs; a colleague in it invites another
      join(patient.ws(), callId);
      assertThat(type(patient.ws().request(frame("rtc.status", callId).put("status", "connected")))).isEqualTo("rtc.state");
      // a nurse who may not read the chat is not invited: forbidden, audited as the inviter's denied read
      assertThat(audited("denied")).isZero();
      assertThat(invite(nurse.ws(), callId, outsider).getString("code")).isEqualTo("forbidden");
      assertThat(audited("denied")).isEqualTo(1);
      assertThat(nurse.ws().request(frame("rtc.invite-colleague", callId).put("accountId", UUID.randomUUID().toString())).getString("code"))
          .isEqualTo("unknown_professional");
      assertThat(type(invite(first.ws(), callId, second))).isEqualTo("rtc.colleague-invited");
      assertThat(type(invite(nurse.ws(), callId, third))).isEqualTo("rtc.colleague-invited");
      second.ws().awaitType("rtc.incoming");
      JsonObject secondJoin = join(second.ws(), callId);
      assertThat(secondJoin.getJsonArray("peers")).hasSize(3);
      // four in the call: the fifth can neither join nor be invited; inviting someone there already is already_member
      assertThat(third.ws().request(frame("rtc.join", callId)).getString("code")).isEqualTo("call_full");
      assertThat(invite(nurse.ws(), callId, third).getString("code")).isEqualTo("call_full");
      assertThat(invite(nurse.ws(), callId, second).getString("code")).isEqualTo("already_member");

      assertThat(audited("allowed")).isEqualTo(3);
      assertThat(audited("denied")).isEqualTo(1);
      // outsiders cannot join or invite
      assertThat(outsider.ws().all("rtc.incoming")).isEmpty();
      assertThat(outsider.ws().request(frame("rtc.join", callId)).getString("code")).isEqualTo("not_in_call");
      assertThat(invite(outsider.ws(), callId, third).getString("code")).isEqualTo("not_in_call");
      // a patient may not invite; an unknown account or call gets its code
      assertThat(patient.ws().request(frame("rtc.invite-colleague", callId).put("accountId", third.id().toString())).getString("code"))
          .isEqualTo("forbidden");
      assertThat(nurse.ws().request(frame("rtc.invite-colleague", UUID.randomUUID().toString()).put("accountId", third.id().toString()))
          .getString("code")).isEqualTo("call_not_found");
      assertThat(nurse.ws().request(frame("rtc.invite-colleague", callId)).getString("code")).isEqualTo("malformed_frame");

      // nothing of the refused reached anyone in the call: a marker after them arrives, no peer joined beyond the three
      second.ws().send(frame("rtc.media", callId).put("audio", false).put("video", true));
      for (WsClient ws : List.of(nurse.ws(), first.ws(), patient.ws())) {
        ws.await(fr -> "rtc.media".equals(type(fr)) && secondJoin.getString("peerId").equals(fr.getString("from")));
      }
      assertThat(nurse.ws().all("rtc.peer-joined")).hasSize(3);
      assertThat(t.row("select count(*) from call_member where call_id = $1 and peer_id is not null and left_at is null",
          UUID.fromString(callId)).getLong(0)).isEqualTo(4);

      // the invited colleague who never joined hears the end too
      JsonObject closed = nurse.ws().request(new JsonObject().put("type", "conversation.close").put("conversationId", conversationId)
          .put("outcome", "resolved"));
      assertThat(type(closed)).as(closed.encode()).isEqualTo("conversation.closed");
      assertThat(third.ws().awaitType("rtc.ended").getString("reason")).isEqualTo("conversation_closed");
      assertThat(first.ws().awaitType("rtc.ended").getString("reason")).isEqualTo("conversation_closed");
    }
  }
}
