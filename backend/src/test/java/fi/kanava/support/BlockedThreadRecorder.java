package fi.kanava.support;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Logback appender that keeps every Vert.x blocked-thread warning for {@link FailOnBlockedThreads}. */
public final class BlockedThreadRecorder extends AppenderBase<ILoggingEvent> {
  static final List<String> WARNINGS = new CopyOnWriteArrayList<>();

  @Override
  protected void append(ILoggingEvent event) {
    if (event.getLevel().isGreaterOrEqual(Level.WARN) && event.getLoggerName().contains("BlockedThreadChecker")) {
      WARNINGS.add(event.getFormattedMessage());
    }
  }
}
