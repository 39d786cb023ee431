package fi.kanava.infra;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/** The one conversion of the injected clock's instants into {@code timestamptz} parameters. */
public final class Timestamps {
  private Timestamps() {}

  public static OffsetDateTime at(Instant instant) {
    return instant == null ? null : OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
  }
}
