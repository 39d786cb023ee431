-- Transfers of a conversation from its professional to another queue or a named professional,
-- with an ISBAR handover note, and the patient's consent to show the earlier messages
-- (docs/protocol.md, "Transfers"; docs/security.md, "After a transfer").

-- A conversation transferred to a named professional waits, queued, for that professional alone:
-- routing offers it to nobody else, and it lapses back to the sender after transfer.personal-queue-timeout.
alter table conversation add column held_for uuid references account (id);
create index conversation_held_for_idx on conversation (held_for) where held_for is not null;

create table conversation_transfer (
  id                uuid primary key,
  conversation_id   uuid not null references conversation (id),
  from_account      uuid not null references account (id),
  from_queue        text not null references queue (id),
  -- exactly one target: a queue, or a named professional
  to_queue          text references queue (id),
  to_account        uuid references account (id),
  situation         text not null check (length(situation) between 1 and 1000),
  background        text check (length(background) <= 900),
  assessment        text check (length(assessment) <= 900),
  recommendation    text check (length(recommendation) <= 900),
  -- the sequence number of the handover note: without consent, the receiver sees from here on
  history_from_seq  bigint not null,
  created_at        timestamptz not null,
  -- a named transfer not accepted by then returns to the sender
  expires_at        timestamptz,
  state             text not null check (state in ('pending', 'accepted', 'declined', 'lapsed')),
  resolved_at       timestamptz,
  resolved_by       uuid references account (id),
  decline_reason    text check (length(decline_reason) <= 500),
  -- the patient's answer to "may the next professional see the earlier messages?"
  consent           text not null check (consent in ('pending', 'granted', 'refused', 'expired')),
  consent_deadline  timestamptz not null,
  consent_at        timestamptz,
  -- how the answer came: 'patient' (in the chat) or 'timeout' (no answer in time)
  consent_by        text check (consent_by in ('patient', 'timeout')),
  check (num_nonnulls(to_queue, to_account) = 1),
  check ((state = 'pending') = (resolved_at is null)),
  check ((consent = 'pending') = (consent_at is null))
);
create index conversation_transfer_conversation_idx on conversation_transfer (conversation_id, created_at);
create index conversation_transfer_pending_idx on conversation_transfer (expires_at) where state = 'pending';
create index conversation_transfer_consent_idx on conversation_transfer (consent_deadline) where consent = 'pending';
-- one pending transfer per conversation at a time
create unique index conversation_transfer_one_pending on conversation_transfer (conversation_id) where state = 'pending';
