package fi.kanava.visit;

import fi.kanava.auth.Authenticator;
import fi.kanava.infra.AddressLimiter;
import fi.kanava.infra.ApiError;
import fi.kanava.infra.ClientAddresses;
import fi.kanava.infra.Http;
import fi.kanava.infra.JsonBodies;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;

/**
 * REST routes of remote visits (docs/protocol.md, "Visits"). Everything but the code exchange is
 * for the visit's care professionals (the access policy's visit rules, audited); the exchange takes
 * no token and is rate-limited per client address.
 */
public final class VisitRoutes {
  private final Visits visits;
  private final Authenticator authenticator;
  private final ClientAddresses addresses;
  private final AddressLimiter exchanges;

  public VisitRoutes(Visits visits, Authenticator authenticator, ClientAddresses addresses, AddressLimiter exchanges) {
    this.visits = visits;
    this.authenticator = authenticator;
    this.addresses = addresses;
    this.exchanges = exchanges;
  }

  public void mount(Router router) {
    router.route("/api/visits").handler(authenticator);
    router.route("/api/visits/*").handler(authenticator);
    router.post("/api/visits").handler(Http.json(201, ctx ->
        visits.book(Authenticator.principal(ctx), JsonBodies.decode(ctx.body().buffer(), VisitRequests.Book.class))));
    router.get("/api/visits").handler(Http.json(ctx -> visits.day(Authenticator.principal(ctx), date(ctx))));
    router.get("/api/visits/:id").handler(Http.json(ctx -> visits.get(Authenticator.principal(ctx), Http.uuidParam(ctx, "id"))));
    router.post("/api/visits/:id/cancel").handler(Http.json(ctx -> visits.cancel(Authenticator.principal(ctx), Http.uuidParam(ctx, "id"),
        ctx.body().length() > 0 ? JsonBodies.decode(ctx.body().buffer(), VisitRequests.Cancel.class) : new VisitRequests.Cancel(null))));
    router.post("/api/visits/:id/reschedule").handler(Http.json(ctx -> visits.reschedule(Authenticator.principal(ctx),
        Http.uuidParam(ctx, "id"), JsonBodies.decode(ctx.body().buffer(), VisitRequests.Reschedule.class))));
    router.post("/api/visits/:id/link").handler(Http.json(201, ctx -> visits.link(Authenticator.principal(ctx), Http.uuidParam(ctx, "id"))));
    router.post("/api/visits/:id/members").handler(Http.json(201, ctx -> visits.invite(Authenticator.principal(ctx), Http.uuidParam(ctx, "id"),
        JsonBodies.decode(ctx.body().buffer(), VisitRequests.Invite.class))));
    router.post("/api/visit-codes/exchange").handler(Http.json(ctx -> {
      VisitRequests.Exchange request = JsonBodies.decode(ctx.body().buffer(), VisitRequests.Exchange.class);
      // a malformed body costs no token; every attempt with a code does, whatever its answer
      exchanges.acquire(addresses.of(ctx.request()));
      return visits.exchange(request.code());
    }));
  }

  private static LocalDate date(RoutingContext ctx) {
    String value = ctx.queryParams().get("date");
    try {
      return LocalDate.parse(value == null ? "" : value);
    } catch (DateTimeParseException e) {
      throw ApiError.badRequest("invalid_parameter", "'date' must be a date such as 2026-03-02");
    }
  }
}
