package fi.kanava.auth;

import io.vertx.core.json.JsonObject;

/** What a successful sign-in or refresh returns. Never log it. */
public record TokenPair(String accessToken, String refreshToken, long expiresIn) {

  public JsonObject toJson() {
    return new JsonObject().put("accessToken", accessToken).put("refreshToken", refreshToken).put("expiresIn", expiresIn);
  }

  @Override
  public String toString() {
    return "TokenPair[****]";
  }
}
