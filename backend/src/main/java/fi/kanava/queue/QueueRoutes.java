package fi.kanava.queue;

import fi.kanava.access.AccessGuard;
import fi.kanava.access.AccessPolicy.SystemAction;
import fi.kanava.auth.Authenticator;
import fi.kanava.auth.Principal;
import fi.kanava.infra.Http;
import fi.kanava.infra.JsonBodies;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.function.Function;

/** REST routes of queues: the patients' list, questionnaires, canned phrases, and administration (docs/protocol.md). */
public final class QueueRoutes {
  private final Queues queues;
  private final Routing routing;
  private final AccessGuard guard;
  private final Authenticator authenticator;

  public QueueRoutes(Queues queues, Routing routing, AccessGuard guard, Authenticator authenticator) {
    this.queues = queues;
    this.routing = routing;
    this.guard = guard;
    this.authenticator = authenticator;
  }

  public void mount(Router router) {
    router.route("/api/queues*").handler(authenticator);

    router.get("/api/queues").handler(Http.json(ctx -> queues.publicList()));
    router.get("/api/queues/:id/questionnaire").handler(Http.json(ctx ->
        queues.get(ctx.pathParam("id")).map(q -> new JsonObject(q.questionnaire().toMap()))));
    router.get("/api/queues/:id/phrases").handler(Http.json(ctx -> console(ctx)
        .compose(p -> queues.get(ctx.pathParam("id")))
        .map(q -> new JsonArray(q.phrases(ctx.queryParams().get("lang"))))));

    router.get("/api/admin/queues").handler(admin(ctx -> Future.all(queues.all(), queues.archived()).map(both -> {
      java.util.List<QueueSettings> list = both.resultAt(0);
      java.util.Map<String, java.time.Instant> archived = both.resultAt(1);
      JsonArray out = new JsonArray();
      list.forEach(q -> out.add(q.toJson().put("archivedAt",
          java.util.Optional.ofNullable(archived.get(q.id())).map(java.time.Instant::toString).orElse(null))));
      return out;
    })));
    router.get("/api/admin/queues/:id/members").handler(admin(ctx -> queues.members(ctx.pathParam("id"))));
    router.post("/api/admin/queues/:id/archive").handler(admin(ctx -> queues.archive(ctx.pathParam("id"), true)));
    router.post("/api/admin/queues/:id/restore").handler(admin(ctx -> queues.archive(ctx.pathParam("id"), false)
        .compose(result -> routing.kick(ctx.pathParam("id")).map(result))));
    router.get("/api/admin/accounts/:id/capacity").handler(admin(ctx -> queues.capacity(Http.uuidParam(ctx, "id"))));
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

  private Handler<RoutingContext> admin(Function<RoutingContext, Future<?>> handler) {
    return admin(200, handler);
  }

  private Handler<RoutingContext> admin(int status, Function<RoutingContext, Future<?>> handler) {
    return guard.route(SystemAction.MANAGE_QUEUES, "queue_administration", status, handler);
  }
}
