package fi.kanava.conversation;

import fi.kanava.access.AccessPolicy.Actor;
import fi.kanava.auth.Principal;

/** Who writes: the actor the access policy judges (with the queues they serve), and the name and role their messages carry. */
public record Author(Actor actor, String name, String role) {
  public Principal principal() {
    return actor.principal();
  }
}
