package fi.kanava.chat;

import fi.kanava.auth.AccessGuard;
import fi.kanava.auth.AccessPolicy.ConversationAction;
import fi.kanava.auth.AccessPolicy.SystemAction;
import fi.kanava.auth.Authenticator;
import fi.kanava.auth.Principal;
import fi.kanava.infra.ApiError;
import fi.kanava.infra.Http;
import fi.kanava.infra.JsonBodies;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/** REST routes of the chat feature (docs/protocol.md, "Chat REST endpoints"). */
public final class ChatRoutes {
  private final Queues queues;
  private final Conversations conversations;
  private final Routing routing;
  private final AccessGuard guard;
  private final Authenticator authenticator;

  public ChatRoutes(Queues queues, Conversations conversations, Routing routing, AccessGuard guard, Authenticator authenticator) {
    this.queues = queues;
    this.conversations = conversations;
    this.routing = routing;
    this.guard = guard;
    this.authenticator = authenticator;
  }

  public void mount(Router router) {
    router.route("/api/queues*").handler(authenticator);
    router.route("/api/conversations/*").handler(authenticator);
    router.route("/api/console/*").handler(authenticator);
    router.route("/api/patient/conversations/*").handler(authenticator);

    router.get("/api/queues").handler(Http.json(ctx -> queues.publicList()));
    router.get("/api/queues/:id/questionnaire").handler(Http.json(ctx ->
        queues.get(ctx.pathParam("id")).map(q -> new JsonObject(q.questionnaire().toMap()))));
    router.get("/api/queues/:id/phrases").handler(Http.json(ctx -> console(ctx)
        .compose(p -> queues.get(ctx.pathParam("id")))
        .map(q -> new JsonArray(q.phrases(ctx.queryParams().get("lang"))))));

    router.get("/api/patient/conversations/current").handler(Http.json(ctx -> {
      Principal principal = Authenticator.principal(ctx);
      if (!principal.isPatient()) {
        throw ApiError.forbidden("For patients");
      }
      return conversations.current(principal).compose(c -> c == null ? Future.succeededFuture(null) : conversations.view(principal, c));
    }));
    router.get("/api/conversations/:id/messages").handler(Http.json(ctx -> {
      Principal principal = Authenticator.principal(ctx);
      long after = longParam(ctx, "after", 0, 0, Long.MAX_VALUE);
      int limit = (int) longParam(ctx, "limit", 200, 1, 500);
      return conversations.authorized(principal, Http.uuidParam(ctx, "id"), ConversationAction.READ, "history")
          .compose(c -> conversations.messages(principal, c.id(), after, limit))
          .map(JsonArray::new);
    }));
    router.get("/api/console/conversations").handler(Http.json(ctx -> console(ctx)
        .compose(p -> conversations.assignedTo(p.id()))
        .map(list -> {
          List<JsonObject> views = new ArrayList<>();
          list.forEach(c -> views.add(c.professionalView()));
          return new JsonArray(views);
        })));

    router.get("/api/admin/queues").handler(admin(ctx -> queues.all().map(list -> {
      JsonArray out = new JsonArray();
      list.forEach(q -> out.add(q.toJson()));
      return out;
    })));
    router.post("/api/admin/queues").handler(admin(201, ctx ->
        queues.create(JsonBodies.decode(ctx.body().buffer(), QueueSettings.Request.class).validate(null))));
    router.put("/api/admin/queues/:id").handler(admin(ctx ->
        queues.update(JsonBodies.decode(ctx.body().buffer(), QueueSettings.Request.class).validate(ctx.pathParam("id")))));
    router.put("/api/admin/queues/:id/members").handler(admin(ctx -> queues.setMembers(ctx.pathParam("id"),
            JsonBodies.decode(ctx.body().buffer(), Queues.Members.class))
        .compose(result -> routing.kick(ctx.pathParam("id")).map(result))));
    router.put("/api/admin/accounts/:id/capacity").handler(admin(ctx -> queues.setCapacity(Http.uuidParam(ctx, "id"),
            JsonBodies.decode(ctx.body().buffer(), Queues.Capacity.class))
        .compose(result -> routing.kickServedBy(Http.uuidParam(ctx, "id")).map(result))));
  }

  private Future<Principal> console(RoutingContext ctx) {
    Principal principal = Authenticator.principal(ctx);
    return guard.require(principal, SystemAction.USE_CONSOLE, "console").map(principal);
  }

  private io.vertx.core.Handler<RoutingContext> admin(Function<RoutingContext, Future<?>> handler) {
    return admin(200, handler);
  }

  private io.vertx.core.Handler<RoutingContext> admin(int status, Function<RoutingContext, Future<?>> handler) {
    return guard.route(SystemAction.MANAGE_QUEUES, "queue_administration", status, handler);
  }

  private static long longParam(RoutingContext ctx, String name, long defaultValue, long min, long max) {
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
