package fi.kanava.referral;

import fi.kanava.auth.Authenticator;
import fi.kanava.infra.ApiError;
import fi.kanava.infra.Http;
import fi.kanava.infra.JsonBodies;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.UUID;
import java.util.regex.Pattern;

/** REST routes of partner referrals and partner seats (docs/protocol.md, "Partner referrals"). */
public final class ReferralRoutes {
  private static final Pattern ORGANISATION_ID = Pattern.compile("[a-z0-9][a-z0-9-]{1,62}");

  private final Referrals referrals;
  private final Authenticator authenticator;

  public ReferralRoutes(Referrals referrals, Authenticator authenticator) {
    this.referrals = referrals;
    this.authenticator = authenticator;
  }

  public void mount(Router router) {
    router.route("/api/referrals*").handler(authenticator);
    router.route("/api/partner/*").handler(authenticator);

    router.get("/api/admin/organisations/:id/seats").handler(Http.json(ctx -> referrals.seats(Authenticator.principal(ctx), organisation(ctx))));
    router.post("/api/admin/organisations/:id/seats/:accountId").handler(Http.json(ctx ->
        referrals.assignSeat(Authenticator.principal(ctx), organisation(ctx), Http.uuidParam(ctx, "accountId"))));
    router.delete("/api/admin/organisations/:id/seats/:accountId").handler(Http.json(ctx ->
        referrals.releaseSeat(Authenticator.principal(ctx), organisation(ctx), Http.uuidParam(ctx, "accountId"))));

    router.get("/api/referrals/partners").handler(Http.json(ctx -> referrals.partners(Authenticator.principal(ctx))));
    router.get("/api/referrals").handler(Http.json(ctx -> referrals.ofConversation(Authenticator.principal(ctx), conversationParam(ctx))));
    router.post("/api/referrals").handler(Http.json(201, ctx -> referrals.refer(Authenticator.principal(ctx),
        JsonBodies.decode(ctx.body().buffer(), ReferralRequests.NewReferral.class))));
    router.get("/api/referrals/:id").handler(Http.json(ctx -> referrals.get(Authenticator.principal(ctx), Http.uuidParam(ctx, "id"))));
    router.post("/api/referrals/:id/notes").handler(Http.json(201, ctx -> {
      UUID id = Http.uuidParam(ctx, "id");
      return referrals.addNote(Authenticator.principal(ctx), id, JsonBodies.decode(ctx.body().buffer(), ReferralRequests.Note.class));
    }));
    router.put("/api/referrals/:id/outcome").handler(Http.json(ctx -> {
      UUID id = Http.uuidParam(ctx, "id");
      return referrals.setOutcome(Authenticator.principal(ctx), id, JsonBodies.decode(ctx.body().buffer(), ReferralRequests.Outcome.class));
    }));

    router.post("/api/referrals/:id/thread/close").handler(Http.json(ctx ->
        referrals.closeThread(Authenticator.principal(ctx), Http.uuidParam(ctx, "id"))));
    // the client's open referral threads (with the organisation's name); only state=open is listed.
    // Authenticated by ConversationRoutes' /api/patient/conversations/* (which matches the bare path too).
    router.get("/api/patient/conversations").handler(Http.json(ctx -> {
      String state = ctx.queryParams().get("state");
      if (!"open".equals(state)) {
        throw ApiError.badRequest("invalid_parameter", "'state' must be open");
      }
      return referrals.threadsOf(Authenticator.principal(ctx));
    }));

    router.get("/api/partner/referrals").handler(Http.json(ctx -> referrals.forPartner(Authenticator.principal(ctx))));
  }

  private static String organisation(RoutingContext ctx) {
    String id = ctx.pathParam("id");
    if (id == null || !ORGANISATION_ID.matcher(id).matches()) {
      throw ApiError.badRequest("invalid_id", "'id' must be an organisation id");
    }
    return id;
  }

  private static UUID conversationParam(RoutingContext ctx) {
    String value = ctx.queryParams().get("conversationId");
    try {
      return UUID.fromString(value == null ? "" : value);
    } catch (IllegalArgumentException e) {
      throw ApiError.badRequest("invalid_parameter", "'conversationId' must be a UUID");
    }
  }
}
