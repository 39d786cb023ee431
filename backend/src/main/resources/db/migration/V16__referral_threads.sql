-- A partner referral's own thread (docs/protocol.md, "Partner referrals"; docs/security.md,
-- "Partner organisations"): the conversation in which partner staff and the client write to each
-- other for as long as the referral runs, whatever became of the conversation it was made in.

-- A referral thread goes through no queue and is with no one professional: it is active from the
-- start with nobody assigned (partner staff holding a seat write in it), is never routed, never
-- idles out and does not count against the one-open-conversation-per-queue rule (no queue).
alter table conversation add column referral_thread boolean not null default false;
alter table conversation alter column queue_id drop not null;
-- the rule "active means assigned" (V2; V11 may have widened it for professional-only threads) now
-- also spares referral threads
alter table conversation drop constraint if exists conversation_check1;
alter table conversation drop constraint if exists conversation_active_assigned;
alter table conversation add constraint conversation_active_assigned
  check (state <> 'active' or assigned_to is not null or patient_id is null or referral_thread);
alter table conversation add constraint conversation_referral_thread_unqueued
  check (not referral_thread or (queue_id is null and assigned_to is null and patient_id is not null));
-- a thread closes when the referral ends (outcome completed or declined) or partner staff close it
alter table conversation drop constraint conversation_outcome_check;
alter table conversation add constraint conversation_outcome_check
  check (outcome in ('resolved', 'referred', 'appointment_booked', 'redirected_to_urgent_care', 'abandoned', 'expired', 'ended_by_patient',
                     'referral_ended'));

-- The referral's thread. conversation_id stays the conversation the referral was made in (the
-- source, which partner staff read, read-only, as the client saw it).
alter table referral add column thread_conversation_id uuid unique;

-- Referrals made before threads existed get one each: open unless the referral has ended, with the
-- client and the partner organisation as participants, in the client's language of the source.
update referral set thread_conversation_id = gen_random_uuid();
insert into conversation (id, queue_id, patient_id, state, urgency, urgency_rank, language, municipality, answers, triage_summary,
                          enqueued_at, accepted_at, first_response_at, last_activity_at, closed_at, outcome, outcome_detail, referral_thread)
  select r.thread_conversation_id, null, r.patient_id,
         case when r.outcome in ('completed', 'declined') then 'closed' else 'active' end,
         'non_urgent', 2, c.language, c.municipality, '{}'::jsonb, '[]'::jsonb,
         r.created_at, r.created_at, r.created_at, r.outcome_at,
         case when r.outcome in ('completed', 'declined') then r.outcome_at end,
         case when r.outcome in ('completed', 'declined') then 'referral_ended' end,
         case when r.outcome in ('completed', 'declined') then r.outcome end,
         true
  from referral r join conversation c on c.id = r.conversation_id;
insert into conversation_participant (conversation_id, kind, patient_id, joined_at)
  select thread_conversation_id, 'patient', patient_id, created_at from referral;
insert into conversation_participant (conversation_id, kind, organisation_id, joined_at)
  select thread_conversation_id, 'partner', partner_organisation_id, created_at from referral;

alter table referral alter column thread_conversation_id set not null;
alter table referral add constraint referral_thread_fk foreign key (thread_conversation_id) references conversation (id);
create index conversation_referral_thread_idx on conversation (patient_id) where referral_thread and state <> 'closed';
