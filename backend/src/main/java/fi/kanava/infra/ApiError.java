package fi.kanava.infra;

import io.vertx.core.json.JsonObject;

/**
 * A failure with an HTTP status and a stable machine-readable code. Services fail their futures
 * with these; {@link HttpErrors} renders them as {@code {"code","message"}}. Messages never hold
 * tokens, passwords or patient data.
 */
public final class ApiError extends RuntimeException {
  private final int status;
  private final String code;
  private final long retryAfterSeconds;
  private final JsonObject details = new JsonObject();

  public ApiError(int status, String code, String message) {
    this(status, code, message, 0);
  }

  private ApiError(int status, String code, String message, long retryAfterSeconds) {
    super(message, null, false, false);
    this.status = status;
    this.code = code;
    this.retryAfterSeconds = retryAfterSeconds;
  }

  /** 429 with a Retry-After header. */
  public static ApiError tooManyAttempts(long retryAfterSeconds, String message) {
    return new ApiError(429, "too_many_attempts", message, retryAfterSeconds);
  }

  /**
   * 429 {@code rate_limited}: too many requests from one client address. The wait goes in a
   * Retry-After header (REST) and in {@code retryAfterSeconds} (REST and WebSocket).
   */
  public static ApiError rateLimited(long retryAfterSeconds, String message) {
    long seconds = Math.max(1, retryAfterSeconds);
    return new ApiError(429, "rate_limited", message, seconds).with("retryAfterSeconds", seconds);
  }

  /** Seconds for a Retry-After header, or 0 for none. */
  public long retryAfterSeconds() {
    return retryAfterSeconds;
  }

  public static ApiError badRequest(String code, String message) {
    return new ApiError(400, code, message);
  }

  public static ApiError unauthenticated(String code, String message) {
    return new ApiError(401, code, message);
  }

  public static ApiError forbidden(String message) {
    return new ApiError(403, "forbidden", message);
  }

  public static ApiError notFound(String code, String message) {
    return new ApiError(404, code, message);
  }

  public static ApiError conflict(String code, String message) {
    return new ApiError(409, code, message);
  }

  /** An unexpected failure: the details go to the log, never to the client. */
  public static ApiError internal() {
    return new ApiError(500, "internal_error", "Something went wrong; the error was logged");
  }

  public int status() {
    return status;
  }

  public String code() {
    return code;
  }

  /** Adds a field to the error body, such as the question an answer failed on. Returns this. */
  public ApiError with(String field, Object value) {
    details.put(field, value);
    return this;
  }

  public JsonObject toJson() {
    return details.copy().put("code", code).put("message", getMessage());
  }
}
