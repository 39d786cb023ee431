package fi.kanava.consult;

import fi.kanava.access.AccessPolicy.SystemAction;
import fi.kanava.access.AccessGuard;
import fi.kanava.auth.Authenticator;
import fi.kanava.infra.Http;
import io.vertx.ext.web.Router;

/** {@code GET /api/consultations?view=queue|mine} and {@code GET /api/consultations/queues} (docs/protocol.md, "Consultations"). */
public final class ConsultRoutes {
  private final Consultations consultations;
  private final AccessGuard guard;
  private final Authenticator authenticator;

  public ConsultRoutes(Consultations consultations, AccessGuard guard, Authenticator authenticator) {
    this.consultations = consultations;
    this.guard = guard;
    this.authenticator = authenticator;
  }

  public void mount(Router router) {
    router.route("/api/consultations").handler(authenticator);
    router.route("/api/consultations/*").handler(authenticator);
    router.get("/api/consultations/queues").handler(guard.route(SystemAction.USE_CONSOLE, "consult_queues", 200,
        ctx -> consultations.consultQueues(Authenticator.principal(ctx))));
    router.get("/api/consultations").handler(guard.route(SystemAction.USE_CONSOLE, "consultations", 200,
        ctx -> consultations.list(Authenticator.principal(ctx), ctx.request().getParam("view", "queue"))));
  }
}
