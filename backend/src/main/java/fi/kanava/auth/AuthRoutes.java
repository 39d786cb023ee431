package fi.kanava.auth;

import fi.kanava.access.AuditLog;
import fi.kanava.access.AccessPolicy;
import fi.kanava.access.AccessGuard;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import fi.kanava.access.AccessPolicy.AdminTarget;
import fi.kanava.access.AccessPolicy.SystemAction;
import fi.kanava.infra.AddressLimiter;
import fi.kanava.infra.ApiError;
import fi.kanava.infra.ClientAddresses;
import fi.kanava.infra.Http;
import fi.kanava.infra.JsonBodies;
import fi.kanava.infra.Require;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * REST routes of the auth feature: professional sign-in and tokens, patient sessions and access
 * log, and the admin functions for accounts and organisations. See docs/protocol.md.
 */
public final class AuthRoutes {
  private static final int ACCESS_LOG_LIMIT = 500;
  private static final long JWKS_MAX_AGE_SECONDS = 60;
  private static final String PURPOSE = "account_administration";

  private final Logins logins;
  private final Sessions sessions;
  private final Accounts accounts;
  private final Organisations organisations;
  private final Patients patients;
  private final Map<String, IdentityProvider> identityProviders;
  private final AccessGuard guard;
  private final AuditLog audit;
  private final Authenticator authenticator;
  private final ClientAddresses addresses;
  private final AddressLimiter anonymousSessions;
  private final SigningKeys keys;
  private final Clock clock;

  public AuthRoutes(Logins logins, Sessions sessions, Accounts accounts, Organisations organisations, Patients patients,
      List<IdentityProvider> identityProviders, AccessGuard guard, AuditLog audit, Authenticator authenticator,
      ClientAddresses addresses, AddressLimiter anonymousSessions, SigningKeys keys, Clock clock) {
    this.logins = logins;
    this.sessions = sessions;
    this.accounts = accounts;
    this.organisations = organisations;
    this.patients = patients;
    this.identityProviders = identityProviders.stream().collect(Collectors.toUnmodifiableMap(IdentityProvider::method, Function.identity()));
    this.guard = guard;
    this.audit = audit;
    this.authenticator = authenticator;
    this.addresses = addresses;
    this.anonymousSessions = anonymousSessions;
    this.keys = keys;
    this.clock = clock;
  }

  record RefreshRequest(String refreshToken) {
    @JsonCreator
    static RefreshRequest fromJson(@JsonProperty("refreshToken") String refreshToken) {
      return new RefreshRequest(Require.secret(refreshToken, "refreshToken", 128));
    }

    @Override
    public String toString() {
      return "RefreshRequest[****]";
    }
  }

  public void mount(Router router) {
    // The public keys that verify access tokens, for services that check Kanava's tokens themselves.
    // Public by nature (they verify, never sign), so open like /health; cached for less than the
    // time a new key is published before it signs.
    router.get("/.well-known/jwks.json").handler(ctx -> {
      ctx.response().putHeader("cache-control", "public, max-age=" + JWKS_MAX_AGE_SECONDS);
      Http.write(ctx, 200, keys.ring().jwks(clock.instant()));
    });
    // Sign-in, refresh and logout: the refresh token in the body (API clients), or for the pages in a
    // cookie no script can read (see RefreshCookies, which also explains the CSRF defence).
    router.post("/api/auth/login").handler(Http.json(ctx -> {
      Optional<RefreshCookies.Page> page = RefreshCookies.pageFor(ctx, RefreshCookies.Page.CONSOLE);
      return logins.login(JsonBodies.decode(ctx.body().buffer(), Logins.LoginRequest.class), addresses.of(ctx.request()))
          .map(pair -> RefreshCookies.answer(ctx, page, pair));
    }));
    router.post("/api/auth/refresh").handler(Http.json(ctx -> {
      Optional<RefreshCookies.Page> page = RefreshCookies.page(ctx);
      if (page.isEmpty()) {
        return sessions.refresh(bodyToken(ctx)).map(TokenPair::toJson);
      }
      noBody(ctx);
      RefreshCookies.Page from = page.get();
      return RefreshCookies.token(ctx, from)
          .map(sessions::refresh)
          .orElseGet(() -> Future.failedFuture(ApiError.unauthenticated("invalid_refresh_token", "No refresh cookie; sign in")))
          .map(pair -> RefreshCookies.answer(ctx, page, pair))
          .recover(e -> {
            if (e instanceof ApiError api && api.status() == 401) {
              // a refresh token that can never work again: the browser may forget it
              RefreshCookies.clear(ctx, from);
            }
            return Future.failedFuture(e);
          });
    }));
    router.post("/api/auth/logout").handler(Http.json(ctx -> {
      Optional<RefreshCookies.Page> page = RefreshCookies.page(ctx);
      if (page.isEmpty()) {
        return sessions.logout(bodyToken(ctx)).map(v -> null);
      }
      noBody(ctx);
      Optional<String> token = RefreshCookies.token(ctx, page.get());
      RefreshCookies.clear(ctx, page.get());
      return token.map(sessions::logout).orElseGet(Future::succeededFuture).map(v -> null);
    }));

    // Patients: open a session (anonymous, or through an identity method), then read the access log.
    router.get("/api/patient/identity-methods").handler(Http.json(ctx -> Future.succeededFuture(
        new JsonArray(identityProviders.values().stream().map(IdentityProvider::describe).toList()))));
    router.post("/api/patient/session").handler(Http.json(201, ctx -> {
      Optional<RefreshCookies.Page> page = RefreshCookies.pageFor(ctx, RefreshCookies.Page.PATIENT);
      noBody(ctx);
      // a bad body costs no token; a refused request stores nothing
      anonymousSessions.acquire(addresses.of(ctx.request()));
      return patients.openAnonymous().map(pair -> RefreshCookies.answer(ctx, page, pair));
    }));
    router.post("/api/patient/session/:method").handler(Http.json(201, ctx -> {
      Optional<RefreshCookies.Page> page = RefreshCookies.pageFor(ctx, RefreshCookies.Page.PATIENT);
      IdentityProvider provider = identityProviders.get(ctx.pathParam("method"));
      if (provider == null) {
        throw ApiError.notFound("identity_method_unavailable", "That identification method is not available");
      }
      return provider.verify(ctx.body().buffer()).compose(patients::openIdentified).map(pair -> RefreshCookies.answer(ctx, page, pair));
    }));
    router.get("/api/patient/access-log").handler(authenticator).handler(Http.json(this::accessLog));

    // Administration: the role is checked before the body is read, then what the request is about
    // (the organisation, and the role of the account) is decided by the policy once it is known.
    router.route("/api/admin/*").handler(authenticator);
    router.get("/api/admin/accounts").handler(admin(ctx -> accounts.list(scope(ctx))));
    router.post("/api/admin/accounts").handler(admin(201, ctx -> {
      Accounts.NewAccount request = JsonBodies.decode(ctx.body().buffer(), Accounts.NewAccount.class);
      return manage(ctx, AdminTarget.account(request.organisationId(), request.role())).compose(v -> accounts.create(request));
    }));
    router.post("/api/admin/accounts/:id/disable").handler(admin(ctx -> manageAccount(ctx).compose(accounts::disable)));
    router.post("/api/admin/accounts/:id/enable").handler(admin(ctx -> manageAccount(ctx).compose(accounts::enable)));
    router.get("/api/admin/organisations").handler(admin(ctx -> organisations.list(scope(ctx))));
    router.post("/api/admin/organisations").handler(guard.route(SystemAction.MANAGE_ORGANISATIONS, PURPOSE, 201, ctx ->
        organisations.create(JsonBodies.decode(ctx.body().buffer(), Organisations.NewOrganisation.class))));
    router.post("/api/admin/organisations/:id/units").handler(admin(201, ctx -> {
      Organisations.NewUnit unit = JsonBodies.decode(ctx.body().buffer(), Organisations.NewUnit.class);
      return manage(ctx, AdminTarget.organisation(ctx.pathParam("id"))).compose(v -> organisations.createUnit(ctx.pathParam("id"), unit));
    }));
  }

  /** What the admin's lists show: its own organisation, or every one for a platform admin. */
  private String scope(RoutingContext ctx) {
    return guard.adminScope(Authenticator.principal(ctx)).filter();
  }

  private Future<Void> manage(RoutingContext ctx, AdminTarget target) {
    return guard.require(Authenticator.principal(ctx), SystemAction.MANAGE_ACCOUNTS, target, PURPOSE);
  }

  /** The account in the path, once the caller may manage it (404 for an unknown id). */
  private Future<UUID> manageAccount(RoutingContext ctx) {
    UUID id = Http.uuidParam(ctx, "id");
    return accounts.owner(id).compose(owner -> manage(ctx, AdminTarget.account(owner.organisationId(), owner.role()))).map(id);
  }

  /** An anonymous session, and a page's refresh or logout, take no fields: {@code {}} or no body at all. */
  record EmptyRequest() {}

  private static void noBody(RoutingContext ctx) {
    if (ctx.body().length() > 0) {
      JsonBodies.decode(ctx.body().buffer(), EmptyRequest.class);
    }
  }

  /** An API client's refresh token, from the body; a bodiless request that carries a page's cookie instead is refused. */
  private static String bodyToken(RoutingContext ctx) {
    if (ctx.body().length() <= 0) {
      RefreshCookies.refuseCookieWithoutHeader(ctx);
    }
    return JsonBodies.decode(ctx.body().buffer(), RefreshRequest.class).refreshToken();
  }

  private Future<JsonArray> accessLog(RoutingContext ctx) {
    Principal principal = Authenticator.principal(ctx);
    return guard.require(principal, SystemAction.READ_OWN_ACCESS_LOG, "own_access_log")
        .compose(v -> audit.accessLogOf(principal.id(), ACCESS_LOG_LIMIT))
        .map(JsonArray::new);
  }

  private io.vertx.core.Handler<RoutingContext> admin(Function<RoutingContext, Future<?>> handler) {
    return admin(200, handler);
  }

  /** Admin routes: the policy decides (and audits a denial) whether the caller administers anything before the handler runs. */
  private io.vertx.core.Handler<RoutingContext> admin(int status, Function<RoutingContext, Future<?>> handler) {
    return guard.route(SystemAction.MANAGE_ACCOUNTS, PURPOSE, status, handler);
  }
}
