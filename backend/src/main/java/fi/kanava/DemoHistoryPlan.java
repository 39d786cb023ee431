package fi.kanava;

import fi.kanava.conversation.Urgency;
import java.nio.charset.StandardCharsets;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;

/**
 * The demo's recorded history, made up (plain Java, no database): a plausible last month and the
 * current month so far of the demo queues, from a fixed seed, so the same month gives the same
 * figures at every fresh start. The events are the rows the server itself writes as a chat, a
 * transfer, a consultation, a visit and a feedback answer happen, and agree with each other: an
 * accepted conversation has its assigned participant, a transfer moves the conversation to the
 * physician's queue, a feedback answer names the event's queue, unit and professional role. The
 * shape follows the field figures of docs (a nurse chat of a few hundred contacts a month with NPS
 * near 80, remote visits near 58, professionals near 50). {@link DemoHistory} writes it.
 */
final class DemoHistoryPlan {
  static final long SEED = 13;
  static final ZoneId ZONE = fi.kanava.report.Reports.TIME_ZONE;
  private static final String[] MUNICIPALITIES = {"Rovaniemi", "Rovaniemi", "Rovaniemi", "Sodankylä", "Kemijärvi", "Inari", "Enontekiö",
      "Utsjoki"};
  private static final String[] SAMI_MUNICIPALITIES = {"Inari", "Utsjoki", "Enontekiö"};
  private static final List<String> STATEMENTS = fi.kanava.feedback.FeedbackStatements.ALL;
  private static final String[] PRAISE = {"Nopea ja ystävällinen palvelu.", "Sain avun heti, kiitos!", "Ei tarvinnut lähteä terveysasemalle.",
      "Selkeät ohjeet.", "Hyvä, että chat on auki iltaisin."};
  private static final String[] CRITICISM = {"Jonotus kesti liian kauan.", "Olisin halunnut puhua lääkärin kanssa.",
      "Yhteys katkesi kesken."};

  /** A demo professional, as the accounts table has them. */
  record Pro(UUID id, String username, String role, String unitId) {}

  record Patient(UUID id, String displayName, String subject, Instant createdAt) {}

  record Conversation(UUID id, String queueId, UUID patientId, String urgency, int urgencyRank, String language, String municipality,
      Instant enqueuedAt, UUID assignedTo, Instant assignedAt, Instant acceptedAt, Instant firstResponseAt, Instant closedAt, String outcome) {}

  record Participant(UUID conversationId, String kind, UUID patientId, UUID accountId, Instant joinedAt, Instant leftAt) {}

  record Transfer(UUID id, UUID conversationId, UUID fromAccount, String fromQueue, String toQueue, Instant createdAt, Instant resolvedAt,
      UUID resolvedBy, String consent, Instant consentDeadline, Instant consentAt, String consentBy) {}

  record Consultation(UUID id, UUID threadId, UUID caseId, UUID requester, String queueId, String urgency, String situation,
      Instant createdAt, Instant dueAt, UUID consultant, Instant acceptedAt, Instant breachedAt, Instant joinedAt, String answer,
      Instant closedAt) {}

  record Visit(UUID id, String unitId, String queueId, UUID patientId, UUID conversationId, Instant startsAt, int durationMinutes,
      String language, boolean interpreterNeeded, String state, UUID bookedBy, Instant bookedAt, Instant arrivedAt, Instant admittedAt,
      Instant endedAt, String cancelReason) {}

  record VisitMember(UUID id, UUID visitId, String kind, UUID accountId, UUID patientId, String displayName, Instant invitedAt,
      UUID invitedBy, Instant arrivedAt, Instant admittedAt) {}

  /** A patient's answer (score null: skipped); {@code respondent} is the visit member, null for a conversation. */
  record Feedback(UUID id, String eventKind, UUID eventId, UUID respondent, String queueId, String unitId, String role, String channel,
      String language, boolean transferred, boolean consulted, Integer score, Map<String, Integer> statements, String text,
      Instant createdAt) {}

  record ProFeedback(UUID id, String role, Integer score, Map<String, Integer> statements, Instant createdAt) {}

  /** Everything to insert, in an order the foreign keys accept. */
  static final class Plan {
    final List<Patient> patients = new ArrayList<>();
    final List<Conversation> conversations = new ArrayList<>();
    final List<Participant> participants = new ArrayList<>();
    final List<Transfer> transfers = new ArrayList<>();
    final List<Consultation> consultations = new ArrayList<>();
    final List<Visit> visits = new ArrayList<>();
    final List<VisitMember> visitMembers = new ArrayList<>();
    final List<Feedback> feedback = new ArrayList<>();
    final List<ProFeedback> proFeedback = new ArrayList<>();
  }

  /** The first conversation made: it exists once the history is loaded. */
  static final UUID MARKER = id("conversation", 0);

  private final Random random = new Random(SEED);
  private final Map<String, Pro> pros;
  private final Instant limit;
  private final Plan plan = new Plan();
  private int next;

  /**
   * @param pros the demo professionals by username
   * @param now  the clock's now: history runs from the start of last month to the start of yesterday,
   *             so nothing lands in a professional's "closed in the last 24 hours" list or today's figures
   */
  DemoHistoryPlan(Map<String, Pro> pros, Instant now) {
    this.pros = pros;
    this.limit = LocalDate.ofInstant(now, ZONE).minusDays(1).atStartOfDay(ZONE).toInstant();
  }

  static LocalDate firstDay(Instant now) {
    return LocalDate.ofInstant(now, ZONE).withDayOfMonth(1).minusMonths(1);
  }

  static UUID id(String kind, int n) {
    return UUID.nameUUIDFromBytes(("kanava-demo-history/" + kind + "/" + n).getBytes(StandardCharsets.UTF_8));
  }

  Plan build(LocalDate from) {
    for (LocalDate day = from; !day.plusDays(1).atStartOfDay(ZONE).toInstant().isAfter(limit); day = day.plusDays(1)) {
      boolean weekday = day.getDayOfWeek().getValue() <= 5;
      contacts(day, "nurse-chat", weekday ? 11 + random.nextInt(6) : 6 + random.nextInt(4), 7, 22);
      contacts(day, "doctor-chat", weekday ? 1 + random.nextInt(3) : random.nextInt(2), 8, 20);
      if (weekday) {
        contacts(day, "dental", 2 + random.nextInt(4), 8, day.getDayOfWeek() == DayOfWeek.FRIDAY ? 14 : 15);
        if (random.nextDouble() < 0.6) {
          proFeedback(day);
        }
      }
    }
    return plan;
  }

  // --- chats ------------------------------------------------------------------------------------------------

  private void contacts(LocalDate day, String queue, int count, int openHour, int closeHour) {
    for (int i = 0; i < count; i++) {
      double hour = openHour + (closeHour - openHour - 0.75) * Math.pow(random.nextDouble(), 1.3);
      contact(queue, day.atStartOfDay(ZONE).plusSeconds((long) (hour * 3600)).toInstant());
    }
  }

  private void contact(String queue, Instant enqueued) {
    int n = next++;
    String language = language(queue);
    String municipality = "se".equals(language) ? pick(SAMI_MUNICIPALITIES) : pick(MUNICIPALITIES);
    UUID conversationId = id("conversation", n);
    Patient patient = queue.equals("dental")
        ? new Patient(id("patient", n), "Demo Asiakas " + (n + 1), "demo-history-" + (n + 1), enqueued.minusSeconds(60))
        : new Patient(id("patient", n), null, null, enqueued.minusSeconds(60));
    plan.patients.add(patient);
    plan.participants.add(new Participant(conversationId, "patient", patient.id(), null, enqueued, null));
    if (queue.equals("nurse-chat") && random.nextDouble() < 0.015) {
      // the questionnaire found an emergency: recorded closed at once, never queued
      plan.conversations.add(new Conversation(conversationId, queue, patient.id(), Urgency.IMMEDIATE.code(), Urgency.IMMEDIATE.rank(),
          language, municipality, enqueued, null, null, null, null, enqueued, "redirected_to_urgent_care"));
      return;
    }
    Urgency urgency = random.nextDouble() < (queue.equals("dental") ? 0.3 : 0.4) ? Urgency.SAME_DAY : Urgency.NON_URGENT;
    Duration wait = waitFor(queue, urgency, enqueued);
    boolean unmet = queue.equals("doctor-chat") && (language.equals("sv") || language.equals("se"));
    if (random.nextDouble() < (unmet ? 0.3 : 0.04)) {
      plan.conversations.add(new Conversation(conversationId, queue, patient.id(), urgency.code(), urgency.rank(), language, municipality,
          enqueued, null, null, null, null, enqueued.plus(wait), "abandoned"));
      return;
    }
    Pro pro = professional(queue, language);
    Instant offered = enqueued.plus(wait);
    Instant accepted = offered.plusSeconds(3 + random.nextInt(20));
    Instant responded = accepted.plusSeconds(20 + random.nextInt(90));
    Instant closed = accepted.plus(handling());
    plan.participants.add(new Participant(conversationId, "assigned", null, pro.id(), accepted, null));
    boolean transferred = queue.equals("nurse-chat") && pro.role().equals("nurse") && random.nextDouble() < 0.06;
    String finalQueue = queue;
    Pro finalPro = pro;
    Instant assigned = offered;
    Instant finalAccepted = accepted;
    if (transferred) {
      // the nurse hands the chat to the physicians' queue; the physician takes it from there
      Pro physician = pros.get("laakari");
      Instant handedOver = accepted.plusSeconds(180 + random.nextInt(360));
      Instant taken = handedOver.plusSeconds(60 + random.nextInt(900));
      boolean consents = random.nextDouble() < 0.85;
      plan.transfers.add(new Transfer(id("transfer", n), conversationId, pro.id(), queue, "doctor-chat", handedOver, taken, physician.id(),
          consents ? "granted" : "refused", handedOver.plusSeconds(300), handedOver.plusSeconds(20 + random.nextInt(90)), "patient"));
      plan.participants.set(plan.participants.size() - 1, new Participant(conversationId, "assigned", null, pro.id(), accepted, handedOver));
      plan.participants.add(new Participant(conversationId, "assigned", null, physician.id(), taken, null));
      finalQueue = "doctor-chat";
      finalPro = physician;
      assigned = taken;
      finalAccepted = taken;
      closed = taken.plus(handling());
    }
    boolean consulted = false;
    // nurses consult the physician on duty, psychiatry or the dental hygienist
    if (!transferred && queue.equals("nurse-chat") && pro.role().equals("nurse") && random.nextDouble() < 0.11) {
      Consultation k = consultation(n, conversationId, pro, accepted);
      if (k != null) {
        if (k.joinedAt() != null) {
          plan.participants.add(new Participant(conversationId, "consultant", null, k.consultant(), k.joinedAt(), null));
          consulted = true;
        }
        // the chat stays open while the consultation is asked, and while an urgent one is answered
        Instant until = k.urgency().equals("urgent") ? k.closedAt() : k.createdAt();
        if (closed.isBefore(until)) {
          closed = until.plusSeconds(120 + random.nextInt(300));
        }
      }
    }
    String outcome = outcome(finalQueue);
    plan.conversations.add(new Conversation(conversationId, finalQueue, patient.id(), urgency.code(), urgency.rank(), language, municipality,
        enqueued, finalPro.id(), assigned, finalAccepted, responded, closed, outcome));
    answer("conversation", conversationId, null, finalQueue, unitOf(pro), finalPro.role(), "chat", language, transferred, consulted,
        closed, npsShape(queue));
    if (outcome.equals("appointment_booked") && random.nextDouble() < 0.6) {
      visit(n, patient, conversationId, finalQueue, finalPro, language, closed);
    }
  }

  private String language(String queue) {
    double u = random.nextDouble();
    return switch (queue) {
      case "nurse-chat" -> u < 0.86 ? "fi" : u < 0.93 ? "sv" : u < 0.96 ? "en" : "se";
      case "doctor-chat" -> u < 0.78 ? "fi" : u < 0.88 ? "sv" : u < 0.94 ? "se" : "en";
      default -> u < 0.9 ? "fi" : "sv";
    };
  }

  /** Who serves a chat: a member of the queue who speaks the language when one does. */
  private Pro professional(String queue, String language) {
    return switch (queue) {
      case "nurse-chat" -> switch (language) {
        case "sv" -> pros.get("hoitaja");
        case "se" -> pros.get("sairaanhoitaja");
        case "en" -> pros.get(random.nextBoolean() ? "hoitaja" : "laakari");
        default -> {
          double u = random.nextDouble();
          yield pros.get(u < 0.47 ? "hoitaja" : u < 0.87 ? "sairaanhoitaja" : "laakari");
        }
      };
      case "doctor-chat" -> pros.get("laakari");
      default -> pros.get("suuhygienisti");
    };
  }

  /** From seconds to tens of minutes: longer for non-urgent contacts, in the dental queue and in the morning rush. */
  private Duration waitFor(String queue, Urgency urgency, Instant enqueued) {
    double median = urgency == Urgency.SAME_DAY ? 100 : 330;
    if (queue.equals("dental")) {
      median *= 2;
    }
    int hour = enqueued.atZone(ZONE).getHour();
    if (hour >= 8 && hour < 11) {
      median *= 1.6;
    }
    double seconds = median * Math.exp(1.05 * random.nextGaussian());
    return Duration.ofSeconds((long) Math.max(8, Math.min(seconds, 80 * 60)));
  }

  private Duration handling() {
    double minutes = 10 * Math.exp(0.5 * random.nextGaussian());
    return Duration.ofSeconds((long) (Math.max(3, Math.min(minutes, 45)) * 60));
  }

  private String outcome(String queue) {
    double u = random.nextDouble();
    return switch (queue) {
      case "nurse-chat" -> u < 0.72 ? "resolved" : u < 0.86 ? "appointment_booked" : u < 0.95 ? "referred" : "ended_by_patient";
      case "doctor-chat" -> u < 0.58 ? "resolved" : u < 0.8 ? "appointment_booked" : u < 0.97 ? "referred" : "ended_by_patient";
      default -> u < 0.52 ? "resolved" : u < 0.88 ? "appointment_booked" : "referred";
    };
  }

  // --- consultations ----------------------------------------------------------------------------------------

  /** A consultation asked during a nurse's chat; null when it would not be over by the history's end. */
  private Consultation consultation(int n, UUID caseId, Pro requester, Instant accepted) {
    double u = random.nextDouble();
    String queue = u < 0.65 ? "consult-on-duty" : u < 0.88 ? "consult-psychiatry" : "consult-dental-hygienist";
    boolean urgent = queue.equals("consult-on-duty") && random.nextDouble() < 0.45;
    Pro consultant = pros.get(queue.equals("consult-dental-hygienist") ? "suuhygienisti" : "laakari");
    Instant created = accepted.plusSeconds(120 + random.nextInt(240));
    Duration target = switch (queue) {
      case "consult-on-duty" -> Duration.ofMinutes(60);
      case "consult-psychiatry" -> Duration.ofDays(1);
      default -> Duration.ofDays(2);
    };
    Duration toAnswer = urgent ? Duration.ofSeconds(240 + random.nextInt(600))
        : Duration.ofSeconds((long) (target.toSeconds() * (0.15 + 1.05 * random.nextDouble())));
    Instant closedAt = created.plus(toAnswer);
    if (!closedAt.isBefore(limit)) {
      return null;
    }
    Instant acceptedAt = created.plus(toAnswer.dividedBy(3));
    Instant due = urgent ? null : created.plus(target);
    Instant breached = due != null && closedAt.isAfter(due) ? due.plusSeconds(5 + random.nextInt(55)) : null;
    Instant joined = urgent && random.nextDouble() < 0.5 ? acceptedAt.plusSeconds(30) : null;
    UUID threadId = id("thread", n);
    String situation = switch (queue) {
      case "consult-on-duty" -> "Demo: potilaalla kuumetta ja yskää, saako antibiootin chatin perusteella?";
      case "consult-psychiatry" -> "Demo: nuori kertoo univaikeuksista ja ahdistuksesta, jatkohoidon kiireellisyys?";
      default -> "Demo: ienverenvuotoa kaksi viikkoa, tarvitaanko käynti?";
    };
    Consultation k = new Consultation(id("consultation", n), threadId, caseId, requester.id(), queue, urgent ? "urgent" : "non_urgent",
        situation, created, due, consultant.id(), acceptedAt, breached, joined, "Demo: vastaus ja ohjeet annettu.", closedAt);
    plan.consultations.add(k);
    Urgency threadUrgency = urgent ? Urgency.SAME_DAY : Urgency.NON_URGENT;
    plan.conversations.add(new Conversation(threadId, null, null, threadUrgency.code(), threadUrgency.rank(), "fi", null, created, null, null,
        null, null, closedAt, "resolved"));
    plan.participants.add(new Participant(threadId, "consultant", null, requester.id(), created, null));
    plan.participants.add(new Participant(threadId, "consultant", null, consultant.id(), acceptedAt, null));
    return k;
  }

  // --- visits -----------------------------------------------------------------------------------------------

  /** A video visit booked at the end of a chat, on a following weekday; none when it would not be over by the history's end. */
  private void visit(int n, Patient patient, UUID conversationId, String queue, Pro booker, String language, Instant booked) {
    Pro holder = pros.get(queue.equals("dental") ? "suuhygienisti" : "laakari");
    LocalDate day = LocalDate.ofInstant(booked, ZONE).plusDays(1 + random.nextInt(3));
    while (day.getDayOfWeek().getValue() > 5) {
      day = day.plusDays(1);
    }
    ZonedDateTime start = day.atTime(8, 0).atZone(ZONE).plusMinutes(30L * random.nextInt(15));
    int duration = random.nextBoolean() ? 20 : 30;
    Instant starts = start.toInstant();
    Instant end = starts.plusSeconds(duration * 60L + 600);
    if (!end.isBefore(limit)) {
      return;
    }
    boolean interpreter = holder.username().equals("laakari") && (language.equals("sv") || language.equals("se"));
    double u = random.nextDouble();
    String state = u < 0.82 ? "completed" : u < 0.91 ? "cancelled" : "no_show";
    UUID visitId = id("visit", n);
    Instant bookedAt = booked.minusSeconds(60);
    Instant arrived = "completed".equals(state) ? starts.minusSeconds(random.nextInt(360)) : null;
    Instant admitted = "completed".equals(state) ? starts.plusSeconds(random.nextInt(300)) : null;
    Instant ended = switch (state) {
      case "completed" -> admitted.plusSeconds(duration * 60L - 300 + random.nextInt(480));
      case "cancelled" -> bookedAt.plus(Duration.between(bookedAt, starts).multipliedBy(random.nextInt(90) + 5).dividedBy(100));
      default -> starts.plusSeconds(duration * 60L);
    };
    plan.visits.add(new Visit(visitId, holder.unitId(), queue, patient.id(), conversationId, starts, duration, language, interpreter, state,
        booker.id(), bookedAt, arrived, admitted, ended, "cancelled".equals(state) ? "Demo: asiakas perui ajan" : null));
    UUID patientMember = id("visit-member", 3 * n);
    plan.visitMembers.add(new VisitMember(patientMember, visitId, "patient", null, patient.id(), patient.displayName(), bookedAt, booker.id(),
        arrived, admitted));
    plan.visitMembers.add(new VisitMember(id("visit-member", 3 * n + 1), visitId, "professional", holder.id(), null, null, bookedAt,
        booker.id(), admitted, admitted));
    if (interpreter) {
      Patient tulkki = new Patient(id("interpreter", n), null, null, bookedAt);
      plan.patients.add(tulkki);
      plan.visitMembers.add(new VisitMember(id("visit-member", 3 * n + 2), visitId, "interpreter", null, tulkki.id(), "Demo Tulkki", bookedAt,
          booker.id(), arrived, admitted));
    }
    if ("completed".equals(state)) {
      answer("visit", visitId, patientMember, queue, holder.unitId(), holder.role(), "video", language, false, false, ended, VISIT_NPS);
    }
  }

  // --- feedback ---------------------------------------------------------------------------------------------

  /** Shares of promoters and detractors among a service's answers: the NPS the field reports (chat 77-86, visits 58). */
  private record NpsShape(double promoters, double detractors) {}

  private static final NpsShape VISIT_NPS = new NpsShape(0.65, 0.07);

  private static NpsShape npsShape(String queue) {
    return switch (queue) {
      case "nurse-chat" -> new NpsShape(0.85, 0.04);
      case "doctor-chat" -> new NpsShape(0.72, 0.08);
      default -> new NpsShape(0.75, 0.07);
    };
  }

  /** Asked in the window as the event closes: about four in ten answer, one in twelve skips, the rest close the window. */
  private void answer(String kind, UUID eventId, UUID respondent, String queue, String unit, String role, String channel, String language,
      boolean transferred, boolean consulted, Instant closed, NpsShape shape) {
    double u = random.nextDouble();
    if (u >= 0.48) {
      return;
    }
    Instant at = closed.plusSeconds(15 + random.nextInt(150));
    UUID id = id("feedback", plan.feedback.size());
    if (u >= 0.40) {
      plan.feedback.add(new Feedback(id, kind, eventId, respondent, queue, unit, role, channel, language, transferred, consulted, null,
          Map.of(), null, at));
      return;
    }
    double v = random.nextDouble();
    int score = v < shape.promoters() ? (random.nextDouble() < 0.62 ? 10 : 9)
        : v < 1 - shape.detractors() ? 7 + random.nextInt(2) : 2 + random.nextInt(5);
    Map<String, Integer> statements = new java.util.TreeMap<>();
    for (String statement : STATEMENTS) {
      statements.put(statement, Math.max(1, Math.min(5, (int) Math.round(score / 2.2 + 0.6 * random.nextGaussian()))));
    }
    String text = language.equals("fi") && random.nextDouble() < 0.2 ? (score >= 7 ? pick(PRAISE) : pick(CRITICISM)) : null;
    plan.feedback.add(new Feedback(id, kind, eventId, respondent, queue, unit, role, channel, language, transferred, consulted, score,
        statements, text, at));
  }

  /** The unit recorded with a conversation's feedback: that of the professional who first accepted it. */
  private static String unitOf(Pro firstAcceptor) {
    return firstAcceptor.unitId();
  }

  /** A professional's answer about the tool (NPS near the field's 50). */
  private void proFeedback(LocalDate day) {
    String[] roles = {"nurse", "nurse", "physician", "specialist"};
    Instant at = day.atTime(9 + random.nextInt(7), random.nextInt(60)).atZone(ZONE).toInstant();
    UUID id = id("professional-feedback", plan.proFeedback.size());
    if (random.nextDouble() < 0.15) {
      plan.proFeedback.add(new ProFeedback(id, pick(roles), null, Map.of(), at));
      return;
    }
    double v = random.nextDouble();
    int score = v < 0.6 ? 9 + random.nextInt(2) : v < 0.9 ? 7 + random.nextInt(2) : 3 + random.nextInt(4);
    int easy = Math.max(1, Math.min(5, score / 2));
    plan.proFeedback.add(new ProFeedback(id, pick(roles), score, Map.of("easy", easy, "helps", Math.min(5, easy + random.nextInt(2))), at));
  }

  private String pick(String[] from) {
    return from[random.nextInt(from.length)];
  }
}
