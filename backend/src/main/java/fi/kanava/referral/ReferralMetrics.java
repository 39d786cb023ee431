package fi.kanava.referral;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Partner referrals as they are made and as their outcomes are recorded: {@code
 * kanava_referrals_total{partner_organisation, outcome}} (docs/metrics.md). The partner
 * organisation is one of the few configured partners, a bounded label; nothing of the client.
 */
public final class ReferralMetrics {
  private final MeterRegistry registry;
  private final Map<String, Counter> counters = new ConcurrentHashMap<>();

  public ReferralMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  /** A referral reached {@code outcome} ({@code referred} when it is made); every outcome of the partner starts at zero. */
  void counted(String partnerOrganisation, ReferralOutcome outcome) {
    for (ReferralOutcome each : ReferralOutcome.values()) {
      counter(partnerOrganisation, each);
    }
    counter(partnerOrganisation, outcome).increment();
  }

  private Counter counter(String partner, ReferralOutcome outcome) {
    return counters.computeIfAbsent(partner + '\n' + outcome.code(), k -> Counter.builder("kanava.referrals")
        .description("Partner referrals by partner organisation and outcome (referred when made, then each outcome recorded)")
        .tags("partner_organisation", partner, "outcome", outcome.code())
        .register(registry));
  }
}
