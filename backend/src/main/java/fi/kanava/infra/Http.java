package fi.kanava.infra;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.UUID;
import java.util.function.Function;

/** Small helpers for route handlers: run a future-returning handler and write its JSON. */
public final class Http {
  private Http() {}

  /**
   * Adapts a handler that returns a future of a JSON value (object or array), or null for 204.
   * Exceptions thrown while decoding and failed futures both go to the router's failure handler.
   */
  public static io.vertx.core.Handler<RoutingContext> json(int status, Function<RoutingContext, Future<?>> handler) {
    return ctx -> {
      Future<?> result;
      try {
        result = handler.apply(ctx);
      } catch (RuntimeException e) {
        ctx.fail(e);
        return;
      }
      result.onSuccess(value -> write(ctx, status, value)).onFailure(ctx::fail);
    };
  }

  public static io.vertx.core.Handler<RoutingContext> json(Function<RoutingContext, Future<?>> handler) {
    return json(200, handler);
  }

  public static void write(RoutingContext ctx, int status, Object value) {
    if (ctx.response().ended()) {
      return;
    }
    if (value == null) {
      ctx.response().setStatusCode(204).end();
      return;
    }
    String body = value instanceof JsonObject o ? o.encode() : value instanceof JsonArray a ? a.encode()
        : value instanceof Record r ? io.vertx.core.json.Json.encode(r) : String.valueOf(value);
    ctx.response().setStatusCode(status).putHeader("content-type", "application/json; charset=utf-8").end(body);
  }

  public static UUID uuidParam(RoutingContext ctx, String name) {
    try {
      return UUID.fromString(ctx.pathParam(name));
    } catch (IllegalArgumentException e) {
      throw ApiError.badRequest("invalid_id", "'" + name + "' must be a UUID");
    }
  }

  /** A whole-number query parameter within [min, max], or the default when absent; anything else is {@code invalid_parameter}. */
  public static long longParam(io.vertx.ext.web.RoutingContext ctx, String name, long defaultValue, long min, long max) {
    String value = ctx.queryParams().get(name);
    if (value == null) {
      return defaultValue;
    }
    try {
      long parsed = Long.parseLong(value);
      if (parsed < min || parsed > max) {
        throw ApiError.badRequest("invalid_parameter", "'" + name + "' must be between " + min + " and " + max);
      }
      return parsed;
    } catch (NumberFormatException e) {
      throw ApiError.badRequest("invalid_parameter", "'" + name + "' must be a whole number");
    }
  }
}
