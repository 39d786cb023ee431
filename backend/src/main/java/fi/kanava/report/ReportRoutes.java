package fi.kanava.report;

import fi.kanava.auth.Authenticator;
import fi.kanava.infra.Http;
import io.vertx.core.Future;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;

/** REST routes of the monthly report: JSON and CSV (docs/protocol.md, "Monthly reports"). */
public final class ReportRoutes {
  private final Reports reports;
  private final LiveFigures live;
  private final Authenticator authenticator;

  public ReportRoutes(Reports reports, LiveFigures live, Authenticator authenticator) {
    this.reports = reports;
    this.live = live;
    this.authenticator = authenticator;
  }

  public void mount(Router router) {
    router.route("/api/reports/*").handler(authenticator);
    router.get("/api/reports/monthly").handler(Http.json(ctx -> report(ctx)
        .map(r -> r.report().toJson().put("professionalFeedback", r.professional().toJson()))));
    router.get("/api/reports/monthly.csv").handler(this::csv);
    router.route("/api/supervisor/*").handler(authenticator);
    router.get("/api/supervisor/live").handler(Http.json(ctx -> live.snapshot(Authenticator.principal(ctx)).map(ReportRoutes::withoutType)));
  }

  /** The snapshot as the socket sends it, without the frame's type. */
  private static io.vertx.core.json.JsonObject withoutType(LiveFigures.Snapshot snapshot) {
    io.vertx.core.json.JsonObject json = fi.kanava.ws.ServerFrames.toJson(snapshot);
    json.remove("type");
    return json;
  }

  /** The month's report and, once it is allowed, the professionals' feedback about the tool in the caller's scope. */
  private record Full(MonthlyReport report, fi.kanava.feedback.ProfessionalFeedback.Figures professional) {}

  private Future<Full> report(RoutingContext ctx) {
    var month = Reports.month(ctx.queryParams().get("month"));
    var by = Reports.grouping(ctx.queryParams().get("by"));
    var principal = Authenticator.principal(ctx);
    return reports.monthly(principal, month, ctx.queryParams().get("queue"), by)
        .compose(r -> reports.professional(principal, r.month()).map(pro -> new Full(r, pro)));
  }

  private void csv(RoutingContext ctx) {
    Future<Full> report;
    try {
      report = report(ctx);
    } catch (RuntimeException e) {
      ctx.fail(e);
      return;
    }
    report.onSuccess(r -> ctx.response()
            .putHeader("content-type", "text/csv; charset=utf-8; header=present")
            .putHeader("content-disposition", "attachment; filename=\"kanava-" + r.report().month()
                + (r.report().by() == ReportStore.Grouping.QUEUE ? "" : "-by-unit") + ".csv\"")
            .end(io.vertx.core.buffer.Buffer.buffer(ReportCsv.write(r.report(), r.professional()).getBytes(StandardCharsets.UTF_8))))
        .onFailure(ctx::fail);
  }
}
