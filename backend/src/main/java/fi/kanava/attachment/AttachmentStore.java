package fi.kanava.attachment;

import fi.kanava.access.AccessPolicy.AttachmentFacts;
import fi.kanava.infra.Timestamps;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

/** The SQL of the {@code attachment} table: stored once, never changed; a message links to it. */
final class AttachmentStore {
  private AttachmentStore() {}

  /** A stored photo without its bytes: what access needs and what the upload answers. */
  record Stored(UUID id, UUID conversationId, String mediaType, int width, int height, int byteSize, int thumbnailWidth,
      int thumbnailHeight, AttachmentFacts facts) {}

  static Future<Void> insert(SqlClient client, UUID id, UUID conversationId, UUID uploadedBy, String uploaderKind,
      ImageSanitizer.Sanitized image, Instant at) {
    return client.preparedQuery("insert into attachment (id, conversation_id, uploaded_by, uploader_kind, media_type, width, height,"
            + " byte_size, content, thumbnail_width, thumbnail_height, thumbnail_size, thumbnail, created_at)"
            + " values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)")
        .execute(Tuple.of(id, conversationId, uploadedBy, uploaderKind, image.mediaType(), image.width())
            .addValue(image.height()).addValue(image.content().length).addValue(Buffer.buffer(image.content()))
            .addValue(image.thumbnailWidth()).addValue(image.thumbnailHeight()).addValue(image.thumbnail().length)
            .addValue(Buffer.buffer(image.thumbnail())).addValue(Timestamps.at(at)))
        .mapEmpty();
  }

  /** The photo's metadata and the message it was sent in, or null when there is no such photo. */
  static Future<Stored> load(SqlClient client, UUID id) {
    return client.preparedQuery("select a.id, a.conversation_id, a.uploaded_by, a.media_type, a.width, a.height, a.byte_size,"
            + " a.thumbnail_width, a.thumbnail_height, m.seq as message_seq, m.kind as message_kind"
            + " from attachment a left join message m on m.attachment_id = a.id where a.id = $1")
        .execute(Tuple.of(id))
        .map(rows -> rows.size() == 0 ? null : stored(rows.iterator().next()));
  }

  private static Stored stored(Row row) {
    return new Stored(row.getUUID("id"), row.getUUID("conversation_id"), row.getString("media_type"), row.getInteger("width"),
        row.getInteger("height"), row.getInteger("byte_size"), row.getInteger("thumbnail_width"), row.getInteger("thumbnail_height"),
        new AttachmentFacts(row.getUUID("uploaded_by"), Optional.ofNullable(row.getLong("message_seq")),
            Optional.ofNullable(row.getString("message_kind"))));
  }

  /** The stripped image's bytes, or its thumbnail's. */
  static Future<Buffer> bytes(SqlClient client, UUID id, boolean thumbnail) {
    return client.preparedQuery("select " + (thumbnail ? "thumbnail" : "content") + " as bytes from attachment where id = $1")
        .execute(Tuple.of(id))
        .map(rows -> rows.iterator().next().getBuffer("bytes"));
  }
}
