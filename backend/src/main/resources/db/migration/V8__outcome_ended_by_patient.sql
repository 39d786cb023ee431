-- The patient may end a conversation a professional has joined (conversation.end): its own outcome,
-- so that figures tell it apart from a resolved contact and from leaving the queue.
alter table conversation drop constraint conversation_outcome_check;
alter table conversation add constraint conversation_outcome_check
  check (outcome in ('resolved', 'referred', 'appointment_booked', 'redirected_to_urgent_care', 'abandoned', 'expired', 'ended_by_patient'));
