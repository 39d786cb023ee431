package fi.kanava.attachment;

import fi.kanava.auth.Authenticator;
import fi.kanava.infra.ApiError;
import fi.kanava.infra.Http;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;

/**
 * The photo routes (docs/protocol.md, "Attachments"). An upload is the raw image as the request
 * body; it is authenticated and then read with its own body limit ({@code attachment.max-bytes}),
 * ahead of the API's small JSON limit, so a larger body is cut off early (by its Content-Length, or
 * once that much has arrived) and answered 413 {@code image_too_large}.
 */
public final class AttachmentRoutes {
  static final String UPLOAD = "/api/conversations/:id/attachments";

  private final Attachments attachments;
  private final Authenticator authenticator;

  public AttachmentRoutes(Attachments attachments, Authenticator authenticator) {
    this.attachments = attachments;
    this.authenticator = authenticator;
  }

  public void mount(Router router) {
    // before the API's body handler (routes in order): authenticate with the body still unread, then read it with this limit
    router.route(HttpMethod.POST, UPLOAD).order(-2).handler(ctx -> {
      ctx.request().pause();
      authenticator.handle(ctx);
    });
    router.route(HttpMethod.POST, UPLOAD).order(-1)
        .handler(BodyHandler.create(false).setBodyLimit(attachments.maxBytes()))
        .failureHandler(this::tooLarge);
    router.post(UPLOAD).handler(Http.json(201, ctx -> attachments.upload(Authenticator.principal(ctx), Http.uuidParam(ctx, "id"),
        ctx.body().buffer() == null ? io.vertx.core.buffer.Buffer.buffer() : ctx.body().buffer())));

    router.route("/api/attachments/*").handler(authenticator);
    router.get("/api/attachments/:id").handler(ctx -> serve(ctx, false));
    router.get("/api/attachments/:id/thumbnail").handler(ctx -> serve(ctx, true));
  }

  /** The body handler's 413 (too long a body) is this route's {@code image_too_large}; other failures go on to the one error handler. */
  private void tooLarge(RoutingContext ctx) {
    boolean bodyTooLarge = ctx.failure() instanceof io.vertx.ext.web.handler.HttpException http ? http.getStatusCode() == 413
        : ctx.failure() == null && ctx.statusCode() == 413;
    if (bodyTooLarge) {
      ctx.response().putHeader("x-content-type-options", "nosniff").putHeader("cache-control", "no-store")
          .putHeader("connection", "close");
      Http.write(ctx, 413, attachments.tooLarge().toJson());
      return;
    }
    ctx.next();
  }

  private void serve(RoutingContext ctx, boolean thumbnail) {
    try {
      attachments.view(Authenticator.principal(ctx), Http.uuidParam(ctx, "id"), thumbnail)
          .onSuccess(image -> ctx.response()
              .putHeader("content-type", image.mediaType())
              .putHeader("cache-control", "private, no-store")
              .putHeader("x-content-type-options", "nosniff")
              .putHeader("content-disposition", "inline")
              .end(image.bytes()))
          .onFailure(ctx::fail);
    } catch (ApiError e) {
      ctx.fail(e);
    }
  }
}
