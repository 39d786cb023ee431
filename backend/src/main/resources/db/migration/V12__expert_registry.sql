-- The expert registry: what a professional is good at, searchable by colleagues of the same
-- organisation when they choose whom to transfer to or consult. Terms are stored normalised
-- (trimmed, single spaces, lower case) so that search and de-duplication need no functions.
alter table account add column specialties text[] not null default '{}'
  check (cardinality(specialties) <= 20);
alter table account add column skills text[] not null default '{}'
  check (cardinality(skills) <= 20);
create index account_specialties_idx on account using gin (specialties);
create index account_skills_idx on account using gin (skills);
