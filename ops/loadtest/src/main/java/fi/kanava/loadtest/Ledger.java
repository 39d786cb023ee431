package fi.kanava.loadtest;

import java.util.BitSet;

/**
 * What happened to the messages of one conversation (or relay room): per sending side, which
 * message numbers were acknowledged by the server and which reached the other side; per receiving
 * side, which sequence numbers arrived. Lost = acknowledged but never received; duplicated = received
 * twice (by message id or by sequence number). Both sides of a conversation may record at once.
 */
final class Ledger {
  static final int PATIENT = 0;
  static final int NURSE = 1;

  private final BitSet[] sent = {new BitSet(), new BitSet()};
  private final BitSet[] acked = {new BitSet(), new BitSet()};
  private final BitSet[] received = {new BitSet(), new BitSet()};
  private final BitSet[] seqs = {new BitSet(), new BitSet()};
  private long duplicates;
  private boolean completed;

  static int side(char payloadSide) {
    return payloadSide == Payload.PATIENT ? PATIENT : NURSE;
  }

  synchronized void sent(int side, int number) {
    sent[side].set(number);
  }

  synchronized void acked(int side, int number) {
    acked[side].set(number);
  }

  /** The other side received message {@code number} of {@code senderSide}; false if it had already. */
  synchronized boolean received(int senderSide, int number) {
    if (received[senderSide].get(number)) {
      duplicates++;
      return false;
    }
    received[senderSide].set(number);
    return true;
  }

  /** The receiving side got a message frame with this sequence number; false if it had already. */
  synchronized boolean seq(int receiverSide, long seq) {
    if (seq < 0 || seq > Integer.MAX_VALUE) {
      return true;
    }
    if (seqs[receiverSide].get((int) seq)) {
      duplicates++;
      return false;
    }
    seqs[receiverSide].set((int) seq);
    return true;
  }

  /** The conversation ran to its normal end (closed by the nurse, seen by the patient). */
  synchronized void completed() {
    completed = true;
  }

  synchronized boolean isCompleted() {
    return completed;
  }

  /** The numbers of {@code side}'s acknowledged messages (a copy). */
  synchronized BitSet acked(int side) {
    return (BitSet) acked[side].clone();
  }

  /** Sent but never acknowledged (the sender gave up, or the server failed the send). */
  synchronized long unacked() {
    return missing(sent[PATIENT], acked[PATIENT]) + missing(sent[NURSE], acked[NURSE]);
  }

  /** Acknowledged (or, for the relay, sent) but never received by the other side. */
  synchronized long lost(boolean countSentAsAcked) {
    BitSet[] base = countSentAsAcked ? sent : acked;
    return missing(base[PATIENT], received[PATIENT]) + missing(base[NURSE], received[NURSE]);
  }

  synchronized long duplicates() {
    return duplicates;
  }

  /** Sequence numbers below the highest one a side received that it never got (1-based, gap-free expected). */
  synchronized long seqGaps() {
    long gaps = 0;
    for (BitSet s : seqs) {
      if (!s.isEmpty()) {
        gaps += s.length() - 1 - s.cardinality() + (s.get(0) ? 1 : 0);
      }
    }
    return gaps;
  }

  private static long missing(BitSet expected, BitSet got) {
    BitSet m = (BitSet) expected.clone();
    m.andNot(got);
    return m.cardinality();
  }
}
