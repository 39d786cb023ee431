-- Remote visits (fi.kanava.visit) and calls (fi.kanava.rtc): docs/protocol.md, "Visits", "Calls" and
-- "Network check". Media never passes through the server; these tables hold who may take part, the
-- state of each visit and call, and the figures the regions report (completed, cancelled, no-show,
-- wait from arrival to admission, calls by result, network-check results).

-- A booked visit. Its room exists from booking: the patient may arrive early and wait. A visit booked
-- from a chat keeps that conversation (its patient, queue and language).
create table visit (
  id                  uuid primary key,
  organisation_id     text not null references organisation (id),
  unit_id             text references unit (id),
  queue_id            text references queue (id),
  patient_id          uuid not null references patient (id),
  conversation_id     uuid references conversation (id),
  starts_at           timestamptz not null,
  duration_minutes    integer not null check (duration_minutes between 5 and 240),
  channel             text not null check (channel in ('video', 'chat')),
  language            text not null check (language in ('fi', 'sv', 'en', 'se', 'smn', 'sms')),
  interpreter_needed  boolean not null,
  -- booked: nobody waiting; waiting: the patient is in the waiting room; admitted: let in, the call
  -- may run; completed, cancelled, no_show: final
  state               text not null check (state in ('booked', 'waiting', 'admitted', 'completed', 'cancelled', 'no_show')),
  booked_by           uuid not null references account (id),
  booked_at           timestamptz not null,
  arrived_at          timestamptz,
  admitted_at         timestamptz,
  -- the latest "running late" notice
  late_minutes        integer check (late_minutes is null or late_minutes between 1 and 240),
  late_at             timestamptz,
  ended_at            timestamptz,
  cancel_reason       text,
  check ((state in ('completed', 'cancelled', 'no_show')) = (ended_at is not null))
);
create index visit_day_idx on visit (organisation_id, starts_at);
create index visit_open_idx on visit (starts_at) where state in ('booked', 'waiting', 'admitted');
create index visit_patient_idx on visit (patient_id);

-- Who takes part in a visit: the patient, the professionals holding it, and invited interpreters,
-- relatives or colleagues. Professionals are accounts; a patient, interpreter or relative without
-- an account is a patient-kind principal of its own, reached by a join code.
create table visit_member (
  id            uuid primary key,
  visit_id      uuid not null references visit (id),
  kind          text not null check (kind in ('patient', 'professional', 'interpreter', 'relative', 'colleague')),
  account_id    uuid references account (id),
  patient_id    uuid references patient (id),
  -- the name shown in the waiting room and the call for someone without an account
  display_name  text,
  invited_at    timestamptz not null,
  invited_by    uuid references account (id),
  arrived_at    timestamptz,
  admitted_at   timestamptz,
  removed_at    timestamptz,
  check ((account_id is null) <> (patient_id is null)),
  unique (visit_id, account_id),
  unique (visit_id, patient_id)
);
create index visit_member_account_idx on visit_member (account_id) where account_id is not null;
create index visit_member_patient_idx on visit_member (patient_id) where patient_id is not null;

-- One-time join codes. Only a hash is stored; the code itself travels in the link's fragment and is
-- exchanged once for a short-lived session of that member.
create table visit_code (
  code_hash   bytea primary key,
  visit_id    uuid not null references visit (id),
  member_id   uuid not null references visit_member (id),
  issued_at   timestamptz not null,
  expires_at  timestamptz not null,
  used_at     timestamptz
);
create index visit_code_member_idx on visit_code (member_id);

-- A call: of a visit (its room), or offered from a chat conversation. States: pending (the room, no
-- media yet), ringing (offered, not yet answered), active, reconnecting, ended.
create table call (
  id               uuid primary key,
  visit_id         uuid references visit (id),
  conversation_id  uuid references conversation (id),
  state            text not null check (state in ('pending', 'ringing', 'active', 'reconnecting', 'ended')),
  created_by       uuid,
  created_at       timestamptz not null,
  connected_at     timestamptz,
  ended_at         timestamptz,
  -- hung_up, declined, no_answer, failed, visit_cancelled, ...
  end_reason       text,
  -- result figures: a connection formed, went through a TURN relay, dropped to audio only
  connected        boolean not null default false,
  relayed          boolean not null default false,
  audio_only       boolean not null default false,
  check ((visit_id is null) <> (conversation_id is null)),
  check ((state = 'ended') = (ended_at is not null))
);
create unique index call_open_visit_idx on call (visit_id) where state <> 'ended';
create unique index call_open_conversation_idx on call (conversation_id) where state <> 'ended';

-- Who is in a call now and was: at most four at once (a mesh). peer_id names the socket's current
-- join, so that signalling goes to that one connection.
create table call_member (
  call_id       uuid not null references call (id),
  subject_kind  text not null check (subject_kind in ('patient', 'professional')),
  subject_id    uuid not null,
  role          text not null check (role in ('patient', 'professional', 'interpreter', 'relative', 'colleague')),
  peer_id       uuid,
  joined_at     timestamptz,
  left_at       timestamptz,
  audio         boolean not null default true,
  video         boolean not null default true,
  primary key (call_id, subject_id)
);

-- Network checks against the server's own WebRTC peer, kept with the visit they were made for.
create table network_check (
  id            uuid primary key,
  subject_kind  text not null check (subject_kind in ('patient', 'professional')),
  subject_id    uuid not null,
  visit_id      uuid references visit (id),
  started_at    timestamptz not null,
  finished_at   timestamptz,
  -- connected (directly), relayed (through TURN), failed (no connection), unavailable (no native peer)
  result        text check (result in ('connected', 'relayed', 'failed', 'unavailable')),
  rtt_ms        integer,
  loss_percent  numeric(5, 2)
);
create index network_check_visit_idx on network_check (visit_id, subject_id, started_at desc) where visit_id is not null;
