package fi.kanava.conversation;

import fi.kanava.access.AccessGuard;
import fi.kanava.access.AccessPolicy.ConversationAction;
import fi.kanava.access.AccessPolicy.SystemAction;
import fi.kanava.auth.Authenticator;
import fi.kanava.auth.Principal;
import fi.kanava.infra.ApiError;
import fi.kanava.infra.Http;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.List;

/** REST routes of conversations (docs/protocol.md, "Conversation REST endpoints"). Every read of patient data is audited. */
public final class ConversationRoutes {
  private final Conversations conversations;
  private final AccessGuard guard;
  private final Authenticator authenticator;

  public ConversationRoutes(Conversations conversations, AccessGuard guard, Authenticator authenticator) {
    this.conversations = conversations;
    this.guard = guard;
    this.authenticator = authenticator;
  }

  public void mount(Router router) {
    router.route("/api/conversations/*").handler(authenticator);
    router.route("/api/console/*").handler(authenticator);
    router.route("/api/patient/conversations/*").handler(authenticator);

    router.get("/api/patient/conversations/current").handler(Http.json(ctx -> {
      Principal principal = Authenticator.principal(ctx);
      if (!principal.isPatient()) {
        throw ApiError.forbidden("For patients");
      }
      return conversations.current(principal).compose(c -> c == null ? Future.succeededFuture(null) : conversations.view(principal, c));
    }));
    router.get("/api/patient/conversations/latest").handler(Http.json(ctx -> {
      Principal principal = Authenticator.principal(ctx);
      if (!principal.isPatient()) {
        throw ApiError.forbidden("For patients");
      }
      return conversations.latest(principal).compose(c -> c == null ? Future.succeededFuture(null) : conversations.view(principal, c));
    }));
    router.get("/api/conversations/:id/messages").handler(Http.json(ctx -> {
      Principal principal = Authenticator.principal(ctx);
      long after = Http.longParam(ctx, "after", 0, 0, Long.MAX_VALUE);
      int limit = (int) Http.longParam(ctx, "limit", 200, 1, 500);
      return conversations.authorized(principal, Http.uuidParam(ctx, "id"), ConversationAction.READ, "history")
          .compose(c -> conversations.messages(principal, c, after, limit))
          .map(JsonArray::new);
    }));
    // the professional's own conversations with names and triage: each one's read is audited;
    // ?state=closed lists those they closed (or that closed while theirs) in the last 24 hours instead
    router.get("/api/console/conversations").handler(Http.json(ctx -> {
      boolean closed = listsClosed(ctx);
      return console(ctx)
          .compose(p -> Future.all(conversations.actor(p),
              closed ? conversations.recentlyClosedFor(p.id()) : conversations.assignedTo(p.id())))
          .compose(both -> {
            var actor = both.<fi.kanava.access.AccessPolicy.Actor>resultAt(0);
            List<ConversationRecord> list = both.resultAt(1);
            List<Future<Void>> audits = new ArrayList<>();
            list.forEach(c -> audits.add(conversations.audited(actor, c, closed ? "console_closed_list" : "console_list")));
            return Future.all(audits).map(v -> {
              JsonArray views = new JsonArray();
              list.forEach(c -> views.add(JsonObject.mapFrom(StaffView.of(c))));
              return views;
            });
          });
    }));
  }

  /** {@code state}: absent or {@code active} (the default list), or {@code closed}; anything else is {@code invalid_parameter}. */
  private static boolean listsClosed(RoutingContext ctx) {
    String state = ctx.queryParams().get("state");
    if (state == null || "active".equals(state)) {
      return false;
    }
    if ("closed".equals(state)) {
      return true;
    }
    throw ApiError.badRequest("invalid_parameter", "'state' must be active or closed");
  }

  private Future<Principal> console(RoutingContext ctx) {
    Principal principal = Authenticator.principal(ctx);
    return guard.require(principal, SystemAction.USE_CONSOLE, "console").map(principal);
  }
}
