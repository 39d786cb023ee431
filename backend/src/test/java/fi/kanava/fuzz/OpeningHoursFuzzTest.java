package fi.kanava.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import fi.kanava.queue.OpeningHours;
import java.time.Instant;
import org.junit.jupiter.api.DisplayName;

/**
 * A queue's opening hours as an admin sends them: any bytes are parsed or refused with the
 * parser's message, and accepted hours load back from their stored form and answer what routing
 * asks of them (open at this instant? when does it next open? until when is it open?) consistently:
 * open from the instant it opens, closed from the instant it closes.
 * The input's last 8 bytes pick the instant (from 2000 to 2100), the rest is the JSON.
 */
@DisplayName("Fuzzing: opening hours definitions")
class OpeningHoursFuzzTest {
  private static final long FROM = Instant.parse("2000-01-01T00:00:00Z").getEpochSecond();
  private static final long UNTIL = Instant.parse("2100-01-01T00:00:00Z").getEpochSecond();

  @FuzzTest
  void openingHoursAreParsedOrRefused(FuzzedDataProvider data) {
    Instant at = Instant.ofEpochSecond(data.consumeLong(FROM, UNTIL));
    OpeningHours hours = Definitions.parseOrRefuse(data.consumeRemainingAsBytes(), OpeningHours::parse, OpeningHours::toMap);
    if (hours == null) {
      return;
    }
    boolean open = hours.isOpen(at);
    hours.nextOpening(at).ifPresent(next -> {
      assertThat(next).as("the next opening after %s", at).isAfter(at);
      assertThat(hours.isOpen(next)).as("open when it opens, %s", next).isTrue();
      assertThat(hours.isOpen(next.minusNanos(1))).as("closed just before it opens, %s", next).isFalse();
    });
    hours.closesAt(at).ifPresent(closes -> {
      assertThat(open).as("closes at %s, so open at %s", closes, at).isTrue();
      assertThat(closes).as("closing time").isAfter(at);
      assertThat(hours.isOpen(closes)).as("closed when it closes, %s", closes).isFalse();
      assertThat(hours.isOpen(closes.minusNanos(1))).as("open just before it closes, %s", closes).isTrue();
    });
  }
}
