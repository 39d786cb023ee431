-- Consultations between professionals (docs/protocol.md, "Consultations"; docs/security.md,
-- "Consultations"): consult queues, and a consultation = a professional-only thread plus its row.

-- A queue serves patients (the nurse chat, dental advice...) or consultants (on-duty physician,
-- psychiatry...). A consult queue never shows to patients and never takes a patient's entry; its
-- members are the consultants; a non-urgent consultation to it is due within its response target.
alter table queue add column kind text not null default 'patient' check (kind in ('patient', 'consult'));
alter table queue add column consult_response_minutes integer check (consult_response_minutes > 0);
alter table queue add constraint queue_consult_target check ((kind = 'consult') = (consult_response_minutes is not null));

-- A professional-only thread goes through no queue and is with no one professional: it is active
-- with nobody assigned, and its participants (kind consultant) are the requester and the consultant.
alter table conversation alter column queue_id drop not null;
alter table conversation drop constraint conversation_check1;
alter table conversation add constraint conversation_active_assigned check (state <> 'active' or assigned_to is not null or patient_id is null);

create table consultation (
  id                     uuid primary key,
  -- the professional-only thread of the consultation
  thread_conversation_id uuid not null unique references conversation (id),
  -- the patient's conversation the consultation is about, if any
  case_conversation_id   uuid references conversation (id),
  requester_id           uuid not null references account (id),
  -- exactly one target: a consult queue, or a named colleague
  queue_id               text references queue (id),
  to_account_id          uuid references account (id),
  urgency                text not null check (urgency in ('urgent', 'non_urgent')),
  situation              text not null check (length(situation) between 1 and 1000),
  background             text check (length(background) <= 900),
  assessment             text check (length(assessment) <= 900),
  recommendation         text check (length(recommendation) <= 900),
  created_at             timestamptz not null,
  -- a non-urgent consultation is answered by then (urgent ones are real time: no due time)
  due_at                 timestamptz,
  state                  text not null check (state in ('waiting', 'accepted', 'closed')),
  consultant_id          uuid references account (id),
  accepted_at            timestamptz,
  -- flagged once by the sweep when due_at passed without an answer
  breached_at            timestamptz,
  -- when the consultant joined the patient conversation (they then stay in it after the consultation closes)
  joined_at              timestamptz,
  answer                 text check (length(answer) between 1 and 4000),
  closed_at              timestamptz,
  closed_by              uuid references account (id),
  check (num_nonnulls(queue_id, to_account_id) = 1),
  check ((state = 'waiting') = (consultant_id is null)),
  check ((state = 'closed') = (closed_at is not null and answer is not null)),
  check (urgency = 'non_urgent' or due_at is null)
);
create index consultation_waiting_queue_idx on consultation (queue_id, created_at) where state = 'waiting';
create index consultation_waiting_account_idx on consultation (to_account_id, created_at) where state = 'waiting';
create index consultation_requester_idx on consultation (requester_id, created_at desc);
create index consultation_consultant_idx on consultation (consultant_id, created_at desc);
create index consultation_due_idx on consultation (due_at) where state <> 'closed' and breached_at is null;
create index consultation_case_idx on consultation (case_conversation_id);
