package fi.kanava.loadtest;

/**
 * The text of a load-test message: {@code <id> <sendNanos>[ #last] <filler>}. The id is the
 * sender's side letter and message number ({@code p17}, {@code n3}); the send time is
 * {@link System#nanoTime()} of this process, so the receiver measures the delivery latency.
 */
record Payload(char side, int number, long sentNanos, boolean last) {
  static final char PATIENT = 'p';
  static final char NURSE = 'n';
  private static final String LAST = "#last";
  private static final String FILLER =
      "Hei, minulla on ollut kuumetta kolme päivää ja kurkku on kipeä. Mitä minun kannattaisi tehdä nyt? ";

  String id() {
    return side + Integer.toString(number);
  }

  /** The text, padded with Finnish filler to {@code length} characters (never shorter than the header). */
  String text(int length) {
    StringBuilder out = new StringBuilder(Math.max(length, 40)).append(id()).append(' ').append(sentNanos);
    if (last) {
      out.append(' ').append(LAST);
    }
    out.append(' ');
    int i = 0;
    while (out.length() < length) {
      out.append(FILLER.charAt(i++ % FILLER.length()));
    }
    return out.toString();
  }

  /** Reads a text written by {@link #text}; null for any other text (system messages, the relay's own frames). */
  static Payload parse(String text) {
    if (text == null || text.length() < 4) {
      return null;
    }
    int a = text.indexOf(' ');
    int b = a < 0 ? -1 : text.indexOf(' ', a + 1);
    if (a < 2 || b < 0) {
      return null;
    }
    try {
      char side = text.charAt(0);
      int number = Integer.parseInt(text, 1, a, 10);
      long nanos = Long.parseLong(text, a + 1, b, 10);
      return new Payload(side, number, nanos, text.startsWith(LAST, b + 1));
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
