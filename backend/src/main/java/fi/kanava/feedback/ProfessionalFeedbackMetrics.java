package fi.kanava.feedback;

import fi.kanava.auth.Role;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Professionals' answers about the tool by role and NPS category (docs/metrics.md), apart from
 * patients' feedback: {@code kanava_professional_feedback_responses_total{role,category}}. Every role
 * that uses the console starts at zero in every category.
 */
public final class ProfessionalFeedbackMetrics {
  private static final String NAME = "kanava.professional.feedback.responses";
  private static final String HELP = "Professionals' answers about the tool by NPS category (promoter 9-10, passive 7-8, detractor 0-6)";
  private static final List<Role> ROLES = List.of(Role.NURSE, Role.PHYSICIAN, Role.SPECIALIST, Role.PARTNER);

  private final MeterRegistry registry;
  private final Map<List<String>, Counter> counters = new ConcurrentHashMap<>();

  public ProfessionalFeedbackMetrics(MeterRegistry registry) {
    this.registry = registry;
    for (Role role : ROLES) {
      for (String category : List.of(Nps.PROMOTER, Nps.PASSIVE, Nps.DETRACTOR)) {
        counter(role.code(), category);
      }
    }
  }

  void responded(String role, int score) {
    counter(role, Nps.category(score)).increment();
  }

  private Counter counter(String role, String category) {
    return counters.computeIfAbsent(List.of(role, category),
        k -> Counter.builder(NAME).description(HELP).tags("role", role, "category", category).register(registry));
  }
}
