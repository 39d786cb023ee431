-- Partner referrals (docs/protocol.md, "Partner referrals"; docs/security.md, "Partner organisations"):
-- seats of partner organisations, referrals with the client's recorded consent, visit notes, outcomes.

-- The wellbeing area a partner organisation works with: its admins assign the partner's seats.
alter table organisation add column partner_of text references organisation (id);
alter table organisation add constraint organisation_partner_of_partner_only check (partner_of is null or kind = 'partner');

-- Seats: which partner accounts may see referred clients. At most organisation.seat_limit (or the
-- setting referral.default-seat-limit) per organisation; assignments lock the organisation row.
create table partner_seat (
  account_id       uuid primary key references account (id),
  organisation_id  text not null references organisation (id),
  assigned_at      timestamptz not null,
  assigned_by      uuid not null references account (id)
);
create index partner_seat_organisation_idx on partner_seat (organisation_id);

create table referral (
  id                         uuid primary key,
  -- the client's conversation the partner organisation joins (kind 'partner' participant)
  conversation_id            uuid not null references conversation (id),
  patient_id                 uuid not null references patient (id),
  partner_organisation_id    text not null references organisation (id),
  referring_organisation_id  text references organisation (id),
  referred_by                uuid not null references account (id),
  reason                     text not null check (length(reason) between 1 and 2000),
  -- the client's consent: who asked (the professional), when, and how
  consent_method             text not null check (consent_method in ('chat', 'phone', 'in_person', 'written')),
  consent_note               text check (length(consent_note) <= 500),
  consent_asked_by           uuid not null references account (id),
  consent_at                 timestamptz not null,
  created_at                 timestamptz not null,
  outcome                    text not null check (outcome in ('referred', 'contacted', 'started', 'declined', 'completed')),
  outcome_at                 timestamptz not null,
  outcome_by                 uuid references account (id),
  contacted_at               timestamptz,
  started_at                 timestamptz,
  declined_at                timestamptz,
  completed_at               timestamptz,
  unique (conversation_id, partner_organisation_id)
);
create index referral_partner_idx on referral (partner_organisation_id, created_at desc);
create index referral_referring_idx on referral (referring_organisation_id, created_at);

-- Visit notes by partner staff: visible to partner staff of the organisation and the referring professional.
create table referral_note (
  id           uuid primary key,
  referral_id  uuid not null references referral (id),
  author_id    uuid not null references account (id),
  text         text not null check (length(text) between 1 and 4000),
  created_at   timestamptz not null
);
create index referral_note_referral_idx on referral_note (referral_id, created_at);
