-- Nurse chat: service queues, the professionals who serve them, conversations and messages.

create table queue (
  id                   text primary key check (id ~ '^[a-z0-9][a-z0-9-]{1,62}$'),
  -- {"fi": "...", "sv": "...", "en": "...", "se": "..."}
  names                jsonb not null,
  service_area         text not null,
  -- municipalities served, as names or codes; a patient from elsewhere is told the queue does not serve them yet
  municipalities       text[] not null,
  languages            text[] not null check (languages <@ array['fi', 'sv', 'en', 'se', 'smn', 'sms'] and cardinality(languages) > 0),
  -- OpeningHours definition (weekly schedule, exceptions, time zone)
  opening_hours        jsonb not null,
  anonymous_allowed    boolean not null,
  strong_id_required   boolean not null,
  max_length           integer not null check (max_length > 0),
  routing_mode         text not null check (routing_mode in ('auto', 'pick')),
  -- Questionnaire definition
  questionnaire        jsonb not null,
  -- {"fi": ["phrase", ...], "sv": [...], ...}
  canned_phrases       jsonb not null default '{}',
  created_at           timestamptz not null,
  updated_at           timestamptz not null
);

-- Which professionals serve which queue.
create table queue_member (
  queue_id    text not null references queue (id) on delete cascade,
  account_id  uuid not null references account (id),
  primary key (queue_id, account_id)
);
create index queue_member_account_idx on queue_member (account_id);

-- A professional's availability and capacity. One row per account that has ever connected.
alter table account add column max_concurrent integer not null default 4 check (max_concurrent between 1 and 50);

create table professional_presence (
  account_id         uuid primary key references account (id),
  status             text not null check (status in ('available', 'busy', 'away', 'offline')),
  -- refreshed by the node holding the professional's connection; stale means gone
  last_seen_at       timestamptz not null,
  -- when the professional last got a conversation: ties in least-loaded routing go to the longest idle
  last_assigned_at   timestamptz
);

create table conversation (
  id                      uuid primary key,
  queue_id                text not null references queue (id),
  patient_id              uuid not null references patient (id),
  state                   text not null check (state in ('queued', 'active', 'closed')),
  -- immediate contacts are never queued: they are recorded closed, redirected to urgent care
  urgency                 text not null check (urgency in ('immediate', 'same_day', 'non_urgent')),
  urgency_rank            smallint not null,
  language                text not null,
  municipality            text,
  answers                 jsonb not null,
  -- [{"questionId","question","answer"}], rendered in the conversation's language
  triage_summary          jsonb not null,
  enqueued_at             timestamptz not null,
  -- the professional the conversation is with (or offered to, until accepted_at)
  assigned_to             uuid references account (id),
  assigned_at             timestamptz,
  accepted_at             timestamptz,
  first_response_at       timestamptz,
  requeue_count           integer not null default 0,
  last_activity_at        timestamptz not null,
  idle_warned_at          timestamptz,
  closed_at               timestamptz,
  outcome                 text check (outcome in ('resolved', 'referred', 'appointment_booked', 'redirected_to_urgent_care', 'abandoned', 'expired')),
  outcome_detail          text,
  last_seq                bigint not null default 0,
  check ((state = 'closed') = (outcome is not null and closed_at is not null)),
  check (state <> 'active' or assigned_to is not null)
);
-- the waiting list in routing order
create index conversation_waiting_idx on conversation (queue_id, urgency_rank, enqueued_at) where state = 'queued';
create index conversation_assigned_idx on conversation (assigned_to) where state = 'active';
create index conversation_patient_idx on conversation (patient_id, enqueued_at desc);
-- a patient waits or chats in one conversation per queue at a time
create unique index conversation_one_open_per_queue on conversation (patient_id, queue_id) where state <> 'closed';
create index conversation_assigned_at_idx on conversation (queue_id, assigned_at) where assigned_at is not null;

create table message (
  conversation_id  uuid not null references conversation (id),
  seq              bigint not null,
  kind             text not null check (kind in ('text', 'note', 'system')),
  sender_kind      text not null check (sender_kind in ('patient', 'professional', 'system')),
  sender_id        uuid,
  client_msg_id    text,
  body             text not null check (length(body) <= 4000),
  created_at       timestamptz not null,
  primary key (conversation_id, seq)
);
-- a retried send with the same client message id is the same message
create unique index message_idempotency on message (conversation_id, sender_id, client_msg_id) where client_msg_id is not null;

-- How far each side has read.
create table conversation_read (
  conversation_id  uuid not null references conversation (id),
  reader_id        uuid not null,
  seq              bigint not null,
  primary key (conversation_id, reader_id)
);
