package fi.kanava.infra;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.http.ServerWebSocketHandshake;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.List;
import java.util.function.Consumer;

/**
 * The HTTP listener: assembles the router from each feature's routes, the body limit, security
 * headers, static pages and the one failure handler. Several instances share the port.
 */
public final class HttpVerticle extends VerticleBase {
  private final KanavaConfig.Http config;
  private final List<Consumer<Router>> features;
  private final Handler<ServerWebSocketHandshake> webSockets;
  private HttpServer server;

  private final List<String> webSocketSubProtocols;
  private final boolean webSocketCompression;

  /** {@code webSocketCompression}: ws.compression (permessage-deflate and per-frame deflate offered, or neither). */
  public HttpVerticle(KanavaConfig.Http config, List<Consumer<Router>> features, Handler<ServerWebSocketHandshake> webSockets,
      List<String> webSocketSubProtocols, boolean webSocketCompression) {
    this.config = config;
    this.features = features;
    this.webSockets = webSockets;
    this.webSocketSubProtocols = webSocketSubProtocols;
    this.webSocketCompression = webSocketCompression;
  }

  /**
   * Scripts, styles and connections only from the server itself (the pages have no inline script
   * or style), no framing, no plugins; {@code 'self'} covers the same-origin WebSocket.
   */
  static final String CONTENT_SECURITY_POLICY = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:;"
      + " connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
  /**
   * Where the jar {@code org.mvnpm:htm} (a dependency of the web client) keeps its npm package: Preact
   * with hooks and htm as one ES module, {@code preact/standalone.module.js}. Served at {@link #UI_LIBRARY_PATH}
   * so pages import it from their own origin (CSP {@code script-src 'self'}); keep the version in step
   * with {@code htm.version} in the parent pom (UiLibraryTest fails otherwise).
   */
  static final String HTM_ROOT = "META-INF/resources/_static/htm/3.1.1";
  static final String UI_LIBRARY_PATH = "/lib/htm/";
  /** Camera and microphone for the page itself only (video visits); nothing else a page could ask for. */
  static final String PERMISSIONS_POLICY = "camera=(self), microphone=(self), geolocation=(), payment=(), usb=(), display-capture=()";

  @Override
  public Future<?> start() {
    Router router = Router.router(vertx);
    router.route().handler(ctx -> {
      ctx.response()
          .putHeader("x-content-type-options", "nosniff")
          .putHeader("referrer-policy", "no-referrer")
          .putHeader("x-frame-options", "DENY")
          .putHeader("content-security-policy", CONTENT_SECURITY_POLICY)
          .putHeader("permissions-policy", PERMISSIONS_POLICY)
          .putHeader("cross-origin-opener-policy", "same-origin");
      if (config.hstsMaxAgeSeconds() > 0) {
        ctx.response().putHeader("strict-transport-security", "max-age=" + config.hstsMaxAgeSeconds() + "; includeSubDomains");
      }
      ctx.next();
    });
    // answers about people and the server's state now: never kept by a browser or a proxy
    router.route("/api/*").handler(HttpVerticle::noStore);
    router.route("/health/*").handler(HttpVerticle::noStore);
    router.route("/api/*").handler(BodyHandler.create(false).setBodyLimit(config.bodyLimitBytes()));
    features.forEach(feature -> feature.accept(router));
    router.route("/api/*").handler(ctx -> ctx.fail(404));
    router.get("/console").handler(ctx -> ctx.reroute("/console.html"));
    router.get("/supervisor").handler(ctx -> ctx.reroute("/supervisor.html"));
    // pages are unversioned ES modules: revalidate on every load (a deploy is never half-applied);
    // the ETag turns an unchanged file into a 304 with no body
    router.route().handler(ctx -> {
      ctx.response().putHeader("cache-control", "no-cache");
      ctx.next();
    });
    // the UI library's package, from its jar, compressed and validated like our own files
    router.route(UI_LIBRARY_PATH + "*").handler(new StaticFiles(vertx, HTM_ROOT, "index.html", UI_LIBRARY_PATH));
    router.route().handler(new StaticFiles(vertx, "webroot", "index.html"));
    router.route().handler(ctx -> ctx.fail(404));
    router.route().failureHandler(new HttpErrors());
    server = vertx.createHttpServer(new HttpServerOptions()
        .setHost(config.host())
        .setPort(config.port())
        .setWebSocketSubProtocols(webSocketSubProtocols)
        // frames are checked against ws.max-frame-bytes by the socket; this is the hard cap
        .setMaxWebSocketFrameSize(65536)
        .setMaxWebSocketMessageSize(65536)
        // each compressing socket keeps zlib's state while it is open (ws.compression)
        .setPerMessageWebSocketCompressionSupported(webSocketCompression)
        .setPerFrameWebSocketCompressionSupported(webSocketCompression));
    return server.requestHandler(router)
        .webSocketHandshakeHandler(webSockets)
        .webSocketHandler(ws -> { })
        .listen();
  }

  private static void noStore(RoutingContext ctx) {
    ctx.response().putHeader("cache-control", "no-store");
    ctx.next();
  }

  public int actualPort() {
    return server.actualPort();
  }
}
