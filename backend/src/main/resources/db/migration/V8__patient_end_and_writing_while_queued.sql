-- The patient may end a conversation a professional has joined (conversation.end): its own outcome,
-- so that figures tell it apart from a resolved contact and from leaving the queue.
alter table conversation drop constraint conversation_outcome_check;
alter table conversation add constraint conversation_outcome_check
  check (outcome in ('resolved', 'referred', 'appointment_booked', 'redirected_to_urgent_care', 'abandoned', 'expired', 'ended_by_patient'));

-- Whether a patient may write while waiting (the professional reads it on accepting). Off unless a
-- queue's settings turn it on, so that nobody writes into a queue that nobody reads yet by surprise.
alter table queue add column patient_may_write_while_queued boolean not null default false;
