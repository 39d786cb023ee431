-- Feedback after a remote visit (issue 13): a visit's patient and each relative who took part are
-- asked, each once, so a visit's responses are one per respondent (the visit member who answered).
-- A conversation's one respondent is its patient: respondent stays null and the event alone is unique.
-- A visit booked without a queue still asks; its responses have no queue (and so are in no queue's report).
alter table feedback_response add column respondent uuid references visit_member (id);
alter table feedback_response alter column queue_id drop not null;
alter table feedback_response drop constraint feedback_response_event_kind_event_id_key;
create unique index feedback_response_once on feedback_response (event_kind, event_id, coalesce(respondent, event_id));
