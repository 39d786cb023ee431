-- A visit on the chat channel is held as a conversation (docs/protocol.md, "Visits": a chat visit):
-- created when the professional first admits the patient, and the visit's own, not a chat contact.
-- visit.conversation_id stays what it was: the chat the visit was booked from.
alter table conversation add column visit_id uuid references visit (id);
create unique index conversation_visit_idx on conversation (visit_id) where visit_id is not null;

-- A patient has one open chat contact per queue; a visit's conversation is not one (a visit booked
-- from a chat still open in the same queue gets its own conversation when the patient is admitted).
drop index conversation_one_open_per_queue;
create unique index conversation_one_open_per_queue on conversation (patient_id, queue_id) where state <> 'closed' and visit_id is null;
