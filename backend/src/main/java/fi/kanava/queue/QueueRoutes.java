package fi.kanava.queue;

import fi.kanava.access.AccessGuard;
import fi.kanava.access.AccessPolicy.AdminTarget;
import fi.kanava.access.AccessPolicy.SystemAction;
import fi.kanava.auth.Accounts;
import fi.kanava.auth.Authenticator;
import fi.kanava.auth.Principal;
import fi.kanava.infra.ApiError;
import fi.kanava.infra.Http;
import fi.kanava.infra.JsonBodies;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.UUID;
import java.util.function.Function;

/** REST routes of queues: the patients' list, questionnaires, canned phrases, and administration (docs/protocol.md). */
public final class QueueRoutes {
  private static final String PURPOSE = "queue_administration";

  private final Queues queues;
  private final Accounts accounts;
  private final Routing routing;
  private final AccessGuard guard;
  private final Authenticator authenticator;

  public QueueRoutes(Queues queues, Accounts accounts, Routing routing, AccessGuard guard, Authenticator authenticator) {
    this.queues = queues;
    this.accounts = accounts;
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

    // Administration: whether the caller administers anything is checked before the body is read;
    // then the policy decides on the queue's (or the account's) organisation.
    router.get("/api/admin/queues").handler(admin(ctx -> queues.adminList(guard.adminScope(Authenticator.principal(ctx)).filter())));
    router.get("/api/admin/queues/:id/members").handler(admin(ctx -> manageQueue(ctx).compose(queues::members)));
    router.post("/api/admin/queues/:id/archive").handler(admin(ctx -> manageQueue(ctx).compose(id -> queues.archive(id, true))));
    router.post("/api/admin/queues/:id/restore").handler(admin(ctx -> manageQueue(ctx).compose(id -> queues.archive(id, false)
        .compose(result -> routing.kick(id).map(result)))));
    router.get("/api/admin/accounts/:id/capacity").handler(admin(ctx -> manageAccount(ctx).compose(queues::capacity)));
    router.post("/api/admin/queues").handler(admin(201, ctx -> {
      QueueSettings.Request request = JsonBodies.decode(ctx.body().buffer(), QueueSettings.Request.class);
      QueueSettings settings = request.validate(null);
      // the admin's own organisation unless another is named (which only a platform admin may)
      String organisation = request.organisationId() != null ? request.organisationId()
          : Authenticator.principal(ctx).organisationId().orElseThrow();
      return manage(ctx, AdminTarget.organisation(organisation)).compose(v -> queues.create(settings, organisation));
    }));
    router.put("/api/admin/queues/:id").handler(admin(ctx -> {
      QueueSettings.Request request = JsonBodies.decode(ctx.body().buffer(), QueueSettings.Request.class);
      QueueSettings settings = request.validate(ctx.pathParam("id"));
      return queues.organisationOf(settings.id())
          .compose(owner -> manage(ctx, AdminTarget.organisation(owner.orElse(null))).map(owner))
          .compose(owner -> request.organisationId() == null || owner.filter(request.organisationId()::equals).isPresent()
              ? queues.update(settings)
              : Future.failedFuture(ApiError.badRequest("invalid_field", "Field 'organisationId' cannot change: a queue stays with"
                  + " its organisation").with("field", "organisationId")));
    }));
    router.put("/api/admin/queues/:id/members").handler(admin(ctx -> {
      Queues.Members members = JsonBodies.decode(ctx.body().buffer(), Queues.Members.class);
      return manageQueue(ctx).compose(id -> queues.setMembers(id, members).compose(result -> routing.kick(id).map(result)));
    }));
    router.put("/api/admin/accounts/:id/capacity").handler(admin(ctx -> {
      Queues.Capacity capacity = JsonBodies.decode(ctx.body().buffer(), Queues.Capacity.class);
      return manageAccount(ctx).compose(id -> queues.setCapacity(id, capacity).compose(result -> routing.kickServedBy(id).map(result)));
    }));
  }

  private Future<Void> manage(RoutingContext ctx, AdminTarget target) {
    return guard.require(Authenticator.principal(ctx), SystemAction.MANAGE_QUEUES, target, PURPOSE);
  }

  /** The queue in the path, once the caller may manage its organisation's queues (404 for an unknown queue). */
  private Future<String> manageQueue(RoutingContext ctx) {
    String id = ctx.pathParam("id");
    return queues.organisationOf(id).compose(owner -> manage(ctx, AdminTarget.organisation(owner.orElse(null)))).map(id);
  }

  /** The account in the path, once the caller may manage its organisation's queues and capacities. */
  private Future<UUID> manageAccount(RoutingContext ctx) {
    UUID id = Http.uuidParam(ctx, "id");
    return accounts.owner(id).compose(owner -> manage(ctx, AdminTarget.account(owner.organisationId(), owner.role()))).map(id);
  }

  private Future<Principal> console(RoutingContext ctx) {
    Principal principal = Authenticator.principal(ctx);
    return guard.require(principal, SystemAction.USE_CONSOLE, "console").map(principal);
  }

  private Handler<RoutingContext> admin(Function<RoutingContext, Future<?>> handler) {
    return admin(200, handler);
  }

  private Handler<RoutingContext> admin(int status, Function<RoutingContext, Future<?>> handler) {
    return guard.route(SystemAction.MANAGE_QUEUES, PURPOSE, status, handler);
  }
}
