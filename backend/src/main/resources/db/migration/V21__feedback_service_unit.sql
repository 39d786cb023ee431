-- A feedback response's unit is the service unit (table unit) of the professional who served the event,
-- the same unit the monthly report's rows by unit use: for a conversation the professional who first
-- accepted it, for a visit the visit's unit. Until now the column named unit held the queue's
-- organisation (the wellbeing area), which is kept, under its own name. Recorded with the response, so a
-- professional's later move to another unit does not move their past feedback.
alter table feedback_response rename column unit to organisation_id;
alter table feedback_response add column unit_id text references unit (id);
update feedback_response f set unit_id = v.unit_id from visit v where f.event_kind = 'visit' and v.id = f.event_id;
update feedback_response f set unit_id = (select a.unit_id from conversation_participant p join account a on a.id = p.account_id
    where p.conversation_id = f.event_id and p.kind = 'assigned' order by p.joined_at, a.id limit 1)
  where f.event_kind = 'conversation';
