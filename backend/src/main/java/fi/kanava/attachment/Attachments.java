package fi.kanava.attachment;

import fi.kanava.access.AccessGuard;
import fi.kanava.access.AccessPolicy.ConversationAction;
import fi.kanava.auth.Principal;
import fi.kanava.conversation.Conversations;
import fi.kanava.infra.ApiError;
import fi.kanava.infra.KanavaConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.sqlclient.Pool;
import java.time.Clock;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Photos in conversations: an upload is allowed to whoever may write the conversation, checked and
 * rebuilt from its pixels on a worker ({@link ImageSanitizer}), then stored; nothing is stored when
 * any step fails. A view goes through the access guard, which audits every one.
 */
public final class Attachments {
  private static final Logger log = LoggerFactory.getLogger(Attachments.class);

  private final Vertx vertx;
  private final Pool pool;
  private final Clock clock;
  private final Conversations conversations;
  private final AccessGuard guard;
  private final ImageSanitizer sanitizer;
  private final int maxBytes;

  public Attachments(Vertx vertx, Pool pool, Clock clock, Conversations conversations, AccessGuard guard, KanavaConfig.Attachment config) {
    this.vertx = vertx;
    this.pool = pool;
    this.clock = clock;
    this.conversations = conversations;
    this.guard = guard;
    this.sanitizer = new ImageSanitizer(config.maxBytes(), config.maxPixels());
    this.maxBytes = config.maxBytes();
  }

  int maxBytes() {
    return maxBytes;
  }

  ApiError tooLarge() {
    return sanitizer.tooLarge();
  }

  /** What an upload answers (docs/protocol.md, "Attachments"). */
  public record Uploaded(String id, String conversationId, String mediaType, int width, int height, int bytes, int thumbnailWidth,
      int thumbnailHeight) {}

  /** Checks that the principal may write the conversation, then the image by its content; stores the stripped image and thumbnail. */
  public Future<Uploaded> upload(Principal principal, UUID conversationId, Buffer body) {
    return conversations.authorized(principal, conversationId, ConversationAction.WRITE, "attachment_upload")
        .compose(c -> vertx.executeBlocking(() -> sanitizer.sanitize(body.getBytes()), false))
        .compose(image -> {
          UUID id = UUID.randomUUID();
          return AttachmentStore.insert(pool, id, conversationId, principal.id(), principal.kind().code(), image, clock.instant())
              .map(v -> {
                log.info("Stored attachment {} ({}, {}x{}, {} bytes) in conversation {}", id, image.mediaType(), image.width(),
                    image.height(), image.content().length, conversationId);
                return new Uploaded(id.toString(), conversationId.toString(), image.mediaType(), image.width(), image.height(),
                    image.content().length, image.thumbnailWidth(), image.thumbnailHeight());
              });
        });
  }

  /** A photo (or its thumbnail) the principal may view, with its type; every view, allowed or not, is audited. */
  public record Image(String mediaType, Buffer bytes) {}

  public Future<Image> view(Principal principal, UUID id, boolean thumbnail) {
    return AttachmentStore.load(pool, id)
        .compose(a -> a == null
            ? Future.failedFuture(ApiError.notFound("attachment_not_found", "No such attachment"))
            : Future.all(conversations.actor(principal), conversations.load(a.conversationId()))
                .compose(both -> guard.viewAttachment(both.resultAt(0), id, both.<fi.kanava.conversation.ConversationRecord>resultAt(1).facts(),
                    a.facts(), thumbnail ? "attachment_thumbnail" : "attachment_view"))
                .compose(v -> AttachmentStore.bytes(pool, id, thumbnail))
                .map(bytes -> new Image(a.mediaType(), bytes)));
  }
}
