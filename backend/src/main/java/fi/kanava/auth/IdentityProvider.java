package fi.kanava.auth;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

/**
 * A way for a patient to prove who they are. The development login is the only one now; strong
 * identification through OpenID Connect (Suomi.fi) plugs in here later. A provider turns its own
 * request into a {@link VerifiedIdentity}; {@link Patients} does the rest.
 */
public interface IdentityProvider {

  /** The method's name in URLs: {@code POST /api/patient/session/{method}}. */
  String method();

  /** Verifies the provider-specific request body; fails with an ApiError when it does not. */
  Future<VerifiedIdentity> verify(io.vertx.core.buffer.Buffer body);

  /** What the sign-in page may show of this method (for the development login, the demo persons). */
  JsonObject describe();

  /** A subject the provider vouches for: stable per method, plus a name to greet. */
  record VerifiedIdentity(String method, String subject, String displayName) {
    @Override
    public String toString() {
      return "VerifiedIdentity[" + method + "]";
    }
  }
}
