package fi.kanava.ws;

import fi.kanava.auth.Principal;
import fi.kanava.auth.Profile;
import io.vertx.core.Future;

/** Loads what a {@code ready} frame says of the principal: their name and (for accounts) role. */
@FunctionalInterface
public interface SocketIdentity {
  Future<Profile> profile(Principal principal);
}
