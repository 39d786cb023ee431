package fi.kanava.directory;

import fi.kanava.access.AccessGuard;
import fi.kanava.access.AccessPolicy.AdminTarget;
import fi.kanava.access.AccessPolicy.SystemAction;
import fi.kanava.auth.Accounts;
import fi.kanava.auth.Authenticator;
import fi.kanava.auth.Language;
import fi.kanava.auth.Principal;
import fi.kanava.auth.Role;
import fi.kanava.infra.ApiError;
import fi.kanava.infra.Http;
import fi.kanava.infra.JsonBodies;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.Optional;
import java.util.UUID;

/**
 * REST routes of the expert registry (docs/protocol.md, "Expert registry"): the search care
 * professionals use to choose whom to transfer to or consult, a professional's own entry, and an
 * admin's edit of any entry in its organisation.
 */
public final class DirectoryRoutes {
  /** The longest search text: a name or a term, not a paragraph. */
  public static final int MAX_QUERY = 100;

  private final Registry registry;
  private final Accounts accounts;
  private final AccessGuard guard;
  private final Authenticator authenticator;

  public DirectoryRoutes(Registry registry, Accounts accounts, AccessGuard guard, Authenticator authenticator) {
    this.registry = registry;
    this.accounts = accounts;
    this.guard = guard;
    this.authenticator = authenticator;
  }

  public void mount(Router router) {
    router.route("/api/professionals").handler(authenticator);
    router.route("/api/me/*").handler(authenticator);
    router.get("/api/professionals").handler(Http.json(ctx -> {
      Principal principal = Authenticator.principal(ctx);
      Registry.Search search = search(ctx);
      String organisation = principal.organisationId().orElse(null);
      return guard.requireListRead(principal, SystemAction.EXPERT_REGISTRY, "directory", organisation, "expert_search")
          .compose(v -> registry.search(organisation, principal.id(), search))
          .map(found -> new io.vertx.core.json.JsonArray(found.stream().map(io.vertx.core.json.JsonObject::mapFrom).toList()));
    }));
    router.put("/api/me/expertise").handler(Http.json(ctx -> {
      Principal principal = Authenticator.principal(ctx);
      return guard.require(principal, SystemAction.EXPERT_REGISTRY, "own_expertise")
          .compose(v -> registry.update(principal.id(), JsonBodies.decode(ctx.body().buffer(), Expertise.class)));
    }));
    // /api/admin/* is authenticated by the auth feature's routes
    router.put("/api/admin/accounts/:id/expertise").handler(guard.route(SystemAction.MANAGE_ACCOUNTS, "account_administration", 200, ctx -> {
      UUID id = Http.uuidParam(ctx, "id");
      Expertise expertise = JsonBodies.decode(ctx.body().buffer(), Expertise.class);
      return accounts.owner(id)
          .compose(owner -> guard.require(Authenticator.principal(ctx), SystemAction.MANAGE_ACCOUNTS,
              AdminTarget.account(owner.organisationId(), owner.role()), "account_administration"))
          .compose(v -> registry.update(id, expertise));
    }));
  }

  /** The query parameters, strictly: {@code q}, {@code language}, {@code role}, {@code available}. */
  static Registry.Search search(RoutingContext ctx) {
    String q = ctx.queryParams().get("q");
    Optional<String> query = Optional.empty();
    if (q != null) {
      if (q.length() > MAX_QUERY) {
        throw ApiError.badRequest("query_too_long", "'q' is longer than " + MAX_QUERY + " characters");
      }
      String normalised = Expertise.normalise(q);
      if (normalised == null) {
        throw ApiError.badRequest("invalid_parameter", "'q' has control characters");
      }
      query = normalised.isEmpty() ? Optional.empty() : Optional.of(normalised);
    }
    Optional<Language> language = Optional.ofNullable(blankToNull(ctx.queryParams().get("language"))).map(code -> {
      try {
        return Language.fromCode(code);
      } catch (IllegalArgumentException e) {
        throw ApiError.badRequest("invalid_language", "'language' must be one of fi, sv, en, se, smn, sms");
      }
    });
    Optional<Role> role = Optional.ofNullable(blankToNull(ctx.queryParams().get("role"))).map(code -> {
      try {
        Role parsed = Role.fromCode(code);
        if (parsed.isCareProfessional()) {
          return parsed;
        }
      } catch (IllegalArgumentException e) {
        // answered below
      }
      throw ApiError.badRequest("invalid_role", "'role' must be nurse, physician or specialist");
    });
    String available = blankToNull(ctx.queryParams().get("available"));
    if (available != null && !available.equals("true") && !available.equals("false")) {
      throw ApiError.badRequest("invalid_parameter", "'available' must be true or false");
    }
    return new Registry.Search(query, language, role, "true".equals(available));
  }

  private static String blankToNull(String value) {
    return value == null || value.isBlank() ? null : value;
  }
}
