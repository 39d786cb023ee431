package fi.kanava.ws;

import fi.kanava.auth.Principal;
import fi.kanava.auth.Role;
import java.util.Arrays;
import java.util.function.Predicate;

/** Who may send a frame type; checked by the socket before the handler runs (a refusal is {@code forbidden}). */
public record Senders(String description, Predicate<Principal> admits) {
  public static final Senders ANYONE = new Senders("anyone", p -> true);
  public static final Senders PATIENTS = new Senders("patients", Principal::isPatient);
  /** Care professionals and partner staff: those who use the console. */
  public static final Senders PROFESSIONALS = new Senders("professionals",
      p -> p.role().filter(r -> r.isCareProfessional() || r == Role.PARTNER).isPresent());
  /** Those who may read figures at all (the access policy's READ_FIGURES then decides whose): supervisors and admins. */
  public static final Senders FIGURE_READERS = roles(Role.SUPERVISOR, Role.ADMIN, Role.PLATFORM_ADMIN);

  /** Accounts with one of these roles. */
  public static Senders roles(Role... roles) {
    return new Senders(String.join(", ", Arrays.stream(roles).map(Role::code).toList()),
        p -> p.role().filter(r -> Arrays.asList(roles).contains(r)).isPresent());
  }
}
