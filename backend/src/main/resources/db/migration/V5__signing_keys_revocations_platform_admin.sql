-- Keys and tokens (issue 9, item 6): signing keys that rotate and are sealed at rest, revoked
-- sessions and accounts that every node refuses within seconds, and administration scoped to an
-- organisation with a separate platform administrator.

-- Several signing keys, one row each, found by the key id in a token's header. A key signs from
-- signs_from until the next key's signs_from, and verifies until the tokens it signed have expired.
-- The private key is sealed with AES-256-GCM under a key-encryption key that the database never
-- holds (sealed_with is that key's fingerprint, so a wrong key is named at start-up). private_pem
-- is the plaintext of a key made before this migration: the server seals it on its next start.
alter table signing_key drop constraint signing_key_pkey;
alter table signing_key add primary key (key_id);
alter table signing_key alter column private_pem drop not null;
alter table signing_key add column private_sealed bytea;
alter table signing_key add column sealed_with text;
alter table signing_key add column signs_from timestamptz;
update signing_key set signs_from = created_at;
alter table signing_key alter column signs_from set not null;
alter table signing_key add constraint signing_key_private_once check ((private_pem is null) <> (private_sealed is null));
alter table signing_key add constraint signing_key_sealed_with check ((private_sealed is null) = (sealed_with is null));
create unique index signing_key_signs_from_idx on signing_key (purpose, signs_from);

-- Access tokens that must stop working before they expire: one session of a subject (a
-- refresh-token family, the token's sid) ended by logout or refresh-token reuse, or, with no
-- session, every token of the subject issued at or before revoked_at (an account disabled). A row
-- matters only until expires_at, when every token it covers has expired anyway; each node reads
-- the live rows every auth.revocation-check-interval.
create table token_revocation (
  id          bigint generated always as identity primary key,
  subject_id  uuid not null,
  session_id  uuid,
  revoked_at  timestamptz not null,
  expires_at  timestamptz not null,
  reason      text not null
);
create index token_revocation_expires_idx on token_revocation (expires_at);

-- platform_admin: creates organisations and administers any of them; admin: only its own.
alter table account drop constraint account_role_check;
alter table account add constraint account_role_check
  check (role in ('nurse', 'physician', 'specialist', 'partner', 'supervisor', 'admin', 'platform_admin'));

-- A queue belongs to an organisation, whose admins manage it. Queues made before this migration
-- belong to the only wellbeing area when there is exactly one; otherwise a platform admin manages them.
alter table queue add column organisation_id text references organisation (id);
update queue set organisation_id = (select id from organisation where kind = 'wellbeing_area')
  where (select count(*) from organisation where kind = 'wellbeing_area') = 1;
create index queue_organisation_idx on queue (organisation_id);
