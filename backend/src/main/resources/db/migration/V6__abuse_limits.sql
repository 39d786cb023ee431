-- Abuse limits (docs/security.md, "Abuse limits").

-- A username is locked only for the client address its failures came from, so that someone
-- guessing from elsewhere cannot lock a real user out. Rows from before this migration count
-- for no address ('') and are forgotten after a lock-out period like any other.
alter table login_throttle add column client_address text not null default '';
alter table login_throttle drop constraint login_throttle_pkey;
alter table login_throttle add primary key (username_key, client_address);
alter table login_throttle alter column client_address drop default;

-- The purge of stale anonymous patients: old anonymous patients, expired patient sessions, and
-- whether a patient takes part in any conversation.
create index patient_anonymous_created_idx on patient (created_at) where kind = 'anonymous';
create index refresh_token_patient_expiry_idx on refresh_token (expires_at) where subject_kind = 'patient';
create index conversation_participant_patient_idx on conversation_participant (patient_id) where patient_id is not null;
