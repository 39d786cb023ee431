package fi.kanava.attachment;

import static fi.kanava.support.ChatFixtures.enter;
import static fi.kanava.support.ChatFixtures.send;
import static fi.kanava.support.HttpAssertions.assertError;
import static org.assertj.core.api.Assertions.assertThat;

import fi.kanava.support.ChatFixtures;
import fi.kanava.support.ChatFixtures.Patient;
import fi.kanava.support.ChatFixtures.Pro;
import fi.kanava.support.Fixtures;
import fi.kanava.support.TestApp;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.UUID;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.stream.ImageInputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Node;

/**
 * Photos in messages end to end (docs/protocol.md, "Attachments"): real HTTP uploads and views, real
 * sockets, a real database. Images are built in code ({@link TestImages}).
 */
@DisplayName("Photos: checked by content, stripped of metadata, sent in messages, viewed only through the guard")
class AttachmentTest {
  TestApp t;
  Fixtures f;
  ChatFixtures c;
  Pro nurse;

  @BeforeEach
  void start() {
    t = TestApp.start(Map.of("attachment.max-bytes", "200000", "attachment.max-pixels", "1000000"));
    f = new Fixtures(t).organisations();
    c = new ChatFixtures(t, f);
    nurse = c.professional("photo-nurse", "nurse", "available");
    c.createQueue(ChatFixtures.queue("photos", "auto"), nurse.id());
  }

  @AfterEach
  void stop() {
    nurse.close();
    t.close();
  }

  private static String type(JsonObject frame) {
    return frame.getString("type");
  }

  /** A patient's conversation in "photos", active with the nurse. */
  private String active(Patient patient) {
    String id = patient.ws().request(enter("photos")).getJsonObject("conversation").getString("id");
    nurse.ws().await(fr -> type(fr).equals("conversation.offer") && id.equals(fr.getJsonObject("conversation").getString("id")));
    JsonObject accepted = nurse.ws().request(new JsonObject().put("type", "conversation.accept").put("conversationId", id));
    assertThat(type(accepted)).as(accepted.encode()).isEqualTo("conversation.state");
    assertThat(type(nurse.ws().request(send(id, "n-hello", "Hei, miten voin auttaa?")))).isEqualTo("message.ack");
    return id;
  }

  private HttpResponse<Buffer> upload(String conversationId, String token, String contentType, byte[] body) {
    var request = t.http.post("/api/conversations/" + conversationId + "/attachments").putHeader("content-type", contentType);
    if (token != null) {
      request.putHeader("authorization", "Bearer " + token);
    }
    return TestApp.await(request.sendBuffer(Buffer.buffer(body)));
  }

  private long stored() {
    return t.row("select count(*) as n from attachment").getLong("n");
  }

  private static BufferedImage decode(byte[] bytes) throws Exception {
    return ImageIO.read(new ByteArrayInputStream(bytes));
  }

  /** The names of every node in the image's native ImageIO metadata tree (JPEG: markerSequence children such as app1, com). */
  private static String metadataTree(byte[] bytes) throws Exception {
    try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(bytes))) {
      ImageReader reader = ImageIO.getImageReaders(in).next();
      reader.setInput(in);
      IIOMetadata metadata = reader.getImageMetadata(0);
      StringBuilder out = new StringBuilder();
      walk(metadata.getAsTree(metadata.getNativeMetadataFormatName()), out);
      reader.dispose();
      return out.toString();
    }
  }

  private static void walk(Node node, StringBuilder out) {
    out.append(node.getNodeName()).append(' ');
    for (Node child = node.getFirstChild(); child != null; child = child.getNextSibling()) {
      walk(child, out);
    }
  }

  private static boolean contains(byte[] haystack, String needle) {
    return new String(haystack, StandardCharsets.ISO_8859_1).contains(needle);
  }

  @Test
  void a_phone_jpeg_comes_back_upright_without_exif_gps_or_comment() throws Exception {
    try (Patient patient = c.anonymousPatient()) {
      String id = active(patient);
      byte[] phone = TestImages.phoneJpeg(64, 32);
      // the test image really carries what must go
      assertThat(TestImages.jpegMarkers(phone)).contains(0xE1, 0xFE);
      assertThat(metadataTree(phone)).contains("unknown").contains("com");
      assertThat(ExifOrientation.of(phone)).isEqualTo(6);

      var response = upload(id, patient.token(), "application/octet-stream", phone);
      assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(201);
      JsonObject uploaded = response.bodyAsJsonObject();
      assertThat(uploaded.getString("mediaType")).isEqualTo("image/jpeg");
      assertThat(uploaded.getInteger("width")).as("turned upright").isEqualTo(32);
      assertThat(uploaded.getInteger("height")).isEqualTo(64);
      String attachmentId = uploaded.getString("id");

      var view = t.get("/api/attachments/" + attachmentId, patient.token());
      assertThat(view.statusCode()).as(view.bodyAsString()).isEqualTo(200);
      assertThat(view.getHeader("content-type")).isEqualTo("image/jpeg");
      assertThat(view.getHeader("cache-control")).isEqualTo("private, no-store");
      assertThat(view.getHeader("x-content-type-options")).isEqualTo("nosniff");
      assertThat(view.getHeader("content-disposition")).isEqualTo("inline");
      byte[] clean = view.body().getBytes();
      assertThat(TestImages.jpegMarkers(clean)).doesNotContain(0xE1, 0xE2, 0xEC, 0xED, 0xFE);
      assertThat(metadataTree(clean)).doesNotContain("unknown").doesNotContain("com ").doesNotContain("app2ICC");
      assertThat(contains(clean, "Exif")).isFalse();
      assertThat(contains(clean, TestImages.COMMENT)).isFalse();
      assertThat(ExifOrientation.of(clean)).isEqualTo(1);

      // orientation 6: the left (red) half of the stored pixels is the top of the upright photo
      BufferedImage upright = decode(clean);
      assertThat(upright.getWidth()).isEqualTo(32);
      assertThat(upright.getHeight()).isEqualTo(64);
      assertThat(isRed(upright.getRGB(16, 8))).as("top is red").isTrue();
      assertThat(isBlue(upright.getRGB(16, 56))).as("bottom is blue").isTrue();

      var thumbnail = t.get("/api/attachments/" + attachmentId + "/thumbnail", patient.token());
      assertThat(thumbnail.statusCode()).isEqualTo(200);
      assertThat(thumbnail.getHeader("content-type")).isEqualTo("image/jpeg");
      BufferedImage small = decode(thumbnail.body().getBytes());
      assertThat(small.getWidth()).isEqualTo(uploaded.getInteger("thumbnailWidth"));
      assertThat(small.getHeight()).isEqualTo(uploaded.getInteger("thumbnailHeight"));

      var row = t.row("select uploaded_by, uploader_kind, media_type, width, height, byte_size, created_at from attachment where id = $1",
          UUID.fromString(attachmentId));
      assertThat(row.getUUID("uploaded_by")).isEqualTo(patient.id());
      assertThat(row.getString("uploader_kind")).isEqualTo("patient");
      assertThat(row.getInteger("byte_size")).isEqualTo(clean.length);
      assertThat(row.getOffsetDateTime("created_at").toInstant()).isEqualTo(t.clock.instant());
    }
  }

  @Test
  void a_large_photo_gets_a_thumbnail_of_at_most_320_pixels_and_a_png_stays_a_png() throws Exception {
    try (Patient patient = c.anonymousPatient()) {
      String id = active(patient);
      var response = upload(id, nurse.token(), "image/png", TestImages.encode(TestImages.halves(800, 400), "png"));
      assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(201);
      JsonObject uploaded = response.bodyAsJsonObject();
      assertThat(uploaded.getString("mediaType")).isEqualTo("image/png");
      assertThat(uploaded.getInteger("thumbnailWidth")).isEqualTo(320);
      assertThat(uploaded.getInteger("thumbnailHeight")).isEqualTo(160);
      var thumbnail = t.get("/api/attachments/" + uploaded.getString("id") + "/thumbnail", nurse.token());
      assertThat(thumbnail.getHeader("content-type")).isEqualTo("image/png");
      assertThat(decode(thumbnail.body().getBytes()).getWidth()).isEqualTo(320);
    }
  }

  @Test
  void a_text_file_named_jpg_is_not_an_image_and_nothing_is_stored() {
    try (Patient patient = c.anonymousPatient()) {
      String id = active(patient);
      assertError(upload(id, patient.token(), "image/jpeg", "just some text, honestly a photo.jpg".getBytes(StandardCharsets.UTF_8)),
          415, "not_an_image");
      // the right magic bytes over garbage: the decode fails
      byte[] fake = new byte[2000];
      fake[0] = (byte) 0xFF;
      fake[1] = (byte) 0xD8;
      fake[2] = (byte) 0xFF;
      assertError(upload(id, patient.token(), "image/jpeg", fake), 415, "not_an_image");
      assertError(upload(id, patient.token(), "image/jpeg", new byte[0]), 415, "not_an_image");
      assertThat(stored()).isZero();
    }
  }

  @Test
  void too_many_bytes_or_too_many_pixels_is_image_too_large_and_nothing_is_stored() {
    try (Patient patient = c.anonymousPatient()) {
      String id = active(patient);
      byte[] huge = new byte[300_000];
      System.arraycopy(TestImages.phoneJpeg(64, 32), 0, huge, 0, 100);
      assertError(upload(id, patient.token(), "image/jpeg", huge), 413, "image_too_large");
      // 2000 x 1000 pixels is over the test's limit of a million, though the file is small
      byte[] wide = TestImages.encode(new BufferedImage(2000, 1000, BufferedImage.TYPE_INT_RGB), "png");
      assertThat(wide.length).isLessThan(200_000);
      assertError(upload(id, patient.token(), "image/png", wide), 413, "image_too_large");
      assertThat(stored()).isZero();
    }
  }

  @Test
  void only_who_may_write_the_conversation_uploads() {
    try (Patient patient = c.anonymousPatient(); Patient stranger = c.anonymousPatient();
         Pro other = c.professional("other-nurse", "nurse", "available")) {
      String id = active(patient);
      byte[] photo = TestImages.phoneJpeg(64, 32);
      assertError(upload(id, stranger.token(), "image/jpeg", photo), 403, "forbidden");
      assertError(upload(id, other.token(), "image/jpeg", photo), 403, "forbidden");
      assertError(upload(id, null, "image/jpeg", photo), 401, "unauthenticated");
      assertError(upload(UUID.randomUUID().toString(), patient.token(), "image/jpeg", photo), 404, "conversation_not_found");
      assertThat(stored()).isZero();
    }
  }

  private String uploadPhoto(String conversationId, String token) {
    var response = upload(conversationId, token, "image/jpeg", TestImages.phoneJpeg(64, 32));
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(201);
    return response.bodyAsJsonObject().getString("id");
  }

  private static JsonObject photoMessage(String conversationId, String clientMsgId, String text, String attachmentId) {
    JsonObject frame = send(conversationId, clientMsgId, text).put("attachmentId", attachmentId);
    if (text == null) {
      frame.remove("text");
    }
    return frame;
  }

  private java.util.List<io.vertx.sqlclient.Row> views(String attachmentId) {
    return t.rows("select actor_id, action, resource_type, outcome, reason, patient_id from audit_event"
        + " where resource_id = $1 and action = 'attachment.view' order by id", attachmentId);
  }

  @Test
  void a_message_with_a_photo_reaches_the_other_side_with_the_attachment_fields() {
    try (Patient patient = c.anonymousPatient()) {
      String id = active(patient);
      String attachmentId = uploadPhoto(id, patient.token());

      JsonObject ack = patient.ws().request(photoMessage(id, "p-photo", null, attachmentId));
      assertThat(type(ack)).as(ack.encode()).isEqualTo("message.ack");
      JsonObject received = nurse.ws().await(fr -> type(fr).equals("message") && "p-photo".equals(fr.getString("clientMsgId")));
      JsonObject attachment = received.getJsonObject("attachment");
      assertThat(attachment).as(received.encode()).isNotNull();
      assertThat(attachment.getString("id")).isEqualTo(attachmentId);
      assertThat(attachment.getString("mediaType")).isEqualTo("image/jpeg");
      assertThat(attachment.getInteger("width")).isEqualTo(32);
      assertThat(attachment.getInteger("height")).isEqualTo(64);
      assertThat(attachment.getInteger("thumbnailWidth")).isEqualTo(32);
      assertThat(attachment.getInteger("thumbnailHeight")).isEqualTo(64);
      assertThat(received.getString("text")).isEmpty();
      // the patient's own socket gets its (allow-listed) form with the photo too
      JsonObject own = patient.ws().await(fr -> type(fr).equals("message") && "p-photo".equals(fr.getString("clientMsgId")));
      assertThat(own.getJsonObject("attachment")).isEqualTo(attachment);
      // and so does the history, on both sides
      var history = t.get("/api/conversations/" + id + "/messages", nurse.token()).bodyAsJsonArray();
      assertThat(history.stream().map(JsonObject.class::cast).filter(m -> m.containsKey("attachment")).toList())
          .singleElement().satisfies(m -> assertThat(m.getJsonObject("attachment")).isEqualTo(attachment));
      var patientHistory = t.get("/api/conversations/" + id + "/messages", patient.token()).bodyAsJsonArray();
      assertThat(patientHistory.stream().map(JsonObject.class::cast).filter(m -> m.containsKey("attachment")).count()).isEqualTo(1);

      // the nurse views it: allowed and audited, as is the patient's own view
      var view = t.get("/api/attachments/" + attachmentId + "/thumbnail", nurse.token());
      assertThat(view.statusCode()).as(view.bodyAsString()).isEqualTo(200);
      assertThat(t.get("/api/attachments/" + attachmentId, patient.token()).statusCode()).isEqualTo(200);
      assertThat(views(attachmentId)).extracting(r -> r.getUUID("actor_id") + ":" + r.getString("outcome"))
          .containsExactly(nurse.id() + ":allowed", patient.id() + ":allowed");
      assertThat(views(attachmentId)).allSatisfy(r -> assertThat(r.getUUID("patient_id")).isEqualTo(patient.id()));

      // a retry gets the same ack; the photo cannot go in a second message
      JsonObject again = patient.ws().request(photoMessage(id, "p-photo", null, attachmentId));
      assertThat(again.getLong("seq")).isEqualTo(ack.getLong("seq"));
      JsonObject twice = patient.ws().request(photoMessage(id, "p-photo-2", "uudestaan", attachmentId));
      assertThat(type(twice)).isEqualTo("error");
      assertThat(twice.getString("code")).isEqualTo("invalid_attachment");
    }
  }

  @Test
  void a_photo_goes_only_in_its_uploaders_message_in_its_own_conversation() {
    try (Patient patient = c.anonymousPatient(); Patient other = c.anonymousPatient()) {
      String id = active(patient);
      String otherId = active(other);
      String patientsPhoto = uploadPhoto(id, patient.token());
      long before = t.row("select count(*) as n from message").getLong("n");

      JsonObject byNurse = nurse.ws().request(photoMessage(id, "n-photo", "katso", patientsPhoto));
      assertThat(byNurse.getString("code")).as(byNurse.encode()).isEqualTo("invalid_attachment");
      JsonObject elsewhere = patient.ws().request(photoMessage(otherId, "p-else", "tässä", patientsPhoto));
      assertThat(type(elsewhere)).isEqualTo("error");
      JsonObject unknown = patient.ws().request(photoMessage(id, "p-unknown", "tässä", UUID.randomUUID().toString()));
      assertThat(unknown.getString("code")).isEqualTo("invalid_attachment");
      JsonObject note = nurse.ws().request(photoMessage(id, "n-note", "muistiin", uploadPhoto(id, nurse.token())).put("internal", true));
      assertThat(note.getString("code")).isEqualTo("invalid_attachment");
      JsonObject empty = patient.ws().request(send(id, "p-empty", " "));
      assertThat(type(empty)).as("no photo: text still required").isEqualTo("error");
      assertThat(t.row("select count(*) as n from message").getLong("n")).isEqualTo(before);
    }
  }

  @Test
  void a_foreign_reader_is_refused_and_audited_and_an_unsent_photo_is_its_uploaders_alone() {
    try (Patient patient = c.anonymousPatient(); Patient stranger = c.anonymousPatient();
         Pro other = c.professional("foreign-nurse", "nurse", "available")) {
      String id = active(patient);
      String sent = uploadPhoto(id, patient.token());
      patient.ws().request(photoMessage(id, "p-photo", "haava", sent));
      String unsent = uploadPhoto(id, patient.token());

      assertError(t.get("/api/attachments/" + sent, other.token()), 403, "forbidden");
      assertError(t.get("/api/attachments/" + sent + "/thumbnail", stranger.token()), 403, "forbidden");
      assertError(t.get("/api/attachments/" + sent, null), 401, "unauthenticated");
      assertError(t.get("/api/attachments/" + UUID.randomUUID(), nurse.token()), 404, "attachment_not_found");
      assertError(t.get("/api/attachments/not-a-uuid", nurse.token()), 400, "invalid_id");
      assertThat(views(sent)).extracting(r -> r.getUUID("actor_id") + ":" + r.getString("outcome") + ":" + r.getString("reason"))
          .containsExactly(other.id() + ":denied:not_entitled", stranger.id() + ":denied:not_own_conversation");
      assertThat(views(sent)).allSatisfy(r -> assertThat(r.getUUID("patient_id")).isEqualTo(patient.id()));

      // not sent yet: even the nurse of the conversation does not see it
      assertError(t.get("/api/attachments/" + unsent, nurse.token()), 403, "forbidden");
      assertThat(views(unsent)).extracting(r -> r.getString("reason")).containsExactly("attachment_not_sent");
      assertThat(t.get("/api/attachments/" + unsent, patient.token()).statusCode()).isEqualTo(200);
    }
  }

  @Test
  void a_receiver_without_the_patients_consent_cannot_view_a_photo_sent_before_the_transfer() {
    try (Patient patient = c.anonymousPatient(); Pro receiver = c.professional("photo-doctor", "physician", "available")) {
      c.createQueue(ChatFixtures.queue("photos-to", "pick"), receiver.id());
      String id = active(patient);
      String early = uploadPhoto(id, patient.token());
      patient.ws().request(photoMessage(id, "p-early", "ihottuma", early));

      JsonObject requested = nurse.ws().request(new JsonObject().put("type", "transfer.request").put("conversationId", id)
          .put("toQueue", "photos-to").put("note", new JsonObject().put("situation", "Ihottuma").put("background", "Ei allergioita")
              .put("assessment", "Ei kiireellinen").put("recommendation", "Lääkärin arvio")));
      assertThat(type(requested)).as(requested.encode()).isEqualTo("transfer.requested");
      String transferId = requested.getString("transferId");
      JsonObject refused = patient.ws().request(new JsonObject().put("type", "transfer.consent").put("conversationId", id)
          .put("transferId", transferId).put("granted", false));
      assertThat(refused.getString("consent")).as(refused.encode()).isEqualTo("refused");
      JsonObject taken = receiver.ws().request(new JsonObject().put("type", "conversation.take").put("conversationId", id));
      assertThat(type(taken)).as(taken.encode()).isEqualTo("conversation.state");

      assertError(t.get("/api/attachments/" + early, receiver.token()), 403, "forbidden");
      assertError(t.get("/api/attachments/" + early + "/thumbnail", receiver.token()), 403, "forbidden");
      assertThat(views(early)).extracting(r -> r.getUUID("actor_id") + ":" + r.getString("reason"))
          .containsExactly(receiver.id() + ":before_history_cut", receiver.id() + ":before_history_cut");
      // the patient always sees their own
      assertThat(t.get("/api/attachments/" + early, patient.token()).statusCode()).isEqualTo(200);

      // a photo after the transfer is the receiver's to see
      String later = uploadPhoto(id, patient.token());
      assertThat(type(patient.ws().request(photoMessage(id, "p-later", "nyt näin", later)))).isEqualTo("message.ack");
      assertThat(t.get("/api/attachments/" + later, receiver.token()).statusCode()).isEqualTo(200);

      // the patient changes their mind: the early photo is visible too
      patient.ws().request(new JsonObject().put("type", "transfer.consent").put("conversationId", id)
          .put("transferId", transferId).put("granted", true));
      assertThat(t.get("/api/attachments/" + early, receiver.token()).statusCode()).isEqualTo(200);
    }
  }

  private static boolean isRed(int rgb) {
    return ((rgb >> 16) & 0xFF) > 180 && (rgb & 0xFF) < 80;
  }

  private static boolean isBlue(int rgb) {
    return (rgb & 0xFF) > 180 && ((rgb >> 16) & 0xFF) < 80;
  }
}
