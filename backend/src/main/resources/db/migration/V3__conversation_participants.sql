-- Who takes part in a conversation, of which kind, from when to when. Access facts for transfer
-- recipients, consultants, partner staff and others come from the rows still open (left_at null);
-- the conversation's assigned_to stays the one professional routing counts against capacity.

create table conversation_participant (
  id               bigint generated always as identity primary key,
  conversation_id  uuid not null references conversation (id),
  kind             text not null check (kind in ('patient', 'assigned', 'transfer_recipient', 'consultant', 'partner',
                                                 'interpreter', 'relative', 'observer')),
  -- exactly one of: the patient, a professional's account, or (for a partner referral) an organisation
  patient_id       uuid references patient (id),
  account_id       uuid references account (id),
  organisation_id  text references organisation (id),
  joined_at        timestamptz not null,
  left_at          timestamptz,
  check (num_nonnulls(patient_id, account_id, organisation_id) = 1),
  check ((kind = 'patient') = (patient_id is not null)),
  check (left_at is null or left_at >= joined_at)
);
create index conversation_participant_open_idx on conversation_participant (conversation_id) where left_at is null;
create index conversation_participant_account_idx on conversation_participant (account_id) where left_at is null;
-- one open participation per person (or organisation) and kind
create unique index conversation_participant_one_open on conversation_participant
  (conversation_id, kind, coalesce(patient_id::text, account_id::text, organisation_id)) where left_at is null;

-- A professional-only thread (a consultation between colleagues) has no patient.
alter table conversation alter column patient_id drop not null;

-- The participants of the conversations so far: every patient, and every professional who joined.
insert into conversation_participant (conversation_id, kind, patient_id, joined_at)
  select id, 'patient', patient_id, enqueued_at from conversation where patient_id is not null;
-- (a participation ends when the person leaves or hands the conversation on, not when it closes)
insert into conversation_participant (conversation_id, kind, account_id, joined_at)
  select id, 'assigned', assigned_to, accepted_at from conversation where assigned_to is not null and accepted_at is not null;

-- Presence per device: each signed-in console (one socket) has its own status; the account's
-- status in professional_presence is the most available of its devices, so going offline on one
-- device does not hand back the conversations while another is still online.
create table professional_device (
  account_id    uuid not null references account (id),
  device_id     text not null,
  status        text not null check (status in ('available', 'busy', 'away', 'offline')),
  last_seen_at  timestamptz not null,
  primary key (account_id, device_id)
);

-- Professionals who declined an offer of the conversation: routing does not offer it to them again.
alter table conversation add column declined_by uuid[] not null default '{}';

-- An archived queue leaves the patients' list and takes no new entries; what waits in it is still served.
alter table queue add column archived_at timestamptz;
