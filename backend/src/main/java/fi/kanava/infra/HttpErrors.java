package fi.kanava.infra;

import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place where failures become HTTP answers: {@code {"code","message"}}, never a stack
 * trace. Unexpected failures are logged with the request's method and path (never its headers or
 * body, which may hold tokens) and answered with 500 {@code internal_error}.
 */
public final class HttpErrors implements Handler<RoutingContext> {
  private static final Logger log = LoggerFactory.getLogger(HttpErrors.class);

  @Override
  public void handle(RoutingContext ctx) {
    if (ctx.response().ended()) {
      return;
    }
    ApiError error = toApiError(ctx);
    if (error.retryAfterSeconds() > 0) {
      ctx.response().putHeader("retry-after", Long.toString(error.retryAfterSeconds()));
    }
    Http.write(ctx, error.status(), error.toJson());
  }

  private static ApiError toApiError(RoutingContext ctx) {
    Throwable failure = ctx.failure();
    if (failure instanceof ApiError apiError) {
      return apiError;
    }
    int status = ctx.statusCode();
    if (failure == null || failure instanceof io.vertx.ext.web.handler.HttpException) {
      if (failure instanceof io.vertx.ext.web.handler.HttpException http) {
        status = http.getStatusCode();
      }
      switch (status) {
        case 413:
          return ApiError.badRequest("body_too_large", "The request body is larger than allowed");
        case 400:
          return ApiError.badRequest("bad_request", "The request could not be read");
        case 401:
          return ApiError.unauthenticated("unauthenticated", "Sign in first");
        case 403:
          return ApiError.forbidden("You are not allowed to do this");
        case 404:
          return ApiError.notFound("not_found", "No such resource");
        case 405:
          return new ApiError(405, "method_not_allowed", "That method is not allowed here");
        default:
          if (status >= 400 && status < 500) {
            return new ApiError(status, "bad_request", "The request could not be served");
          }
      }
    }
    ApiError busy = DatabaseErrors.busyOrNull(failure);
    if (busy != null) {
      log.warn("A database wait ran out on {} {}: {}", ctx.request().method(), ctx.normalizedPath(), failure.getMessage());
      return busy;
    }
    log.error("Unexpected failure on {} {}", ctx.request().method(), ctx.normalizedPath(), failure);
    return ApiError.internal();
  }

}
