-- Professional feedback (issue 13, item 2): professionals are asked now and then about the tool
-- itself, in the console. Kept apart from patients' feedback (feedback_response) and never mixed
-- into patient NPS. An answer is stored without the account: only its role and organisation, so
-- what a professional says about the tool cannot be traced back to them. When to ask is kept per
-- account in a separate table.
create table professional_feedback (
  id               uuid primary key,
  organisation_id  text references organisation (id),
  role             text not null,
  -- "How likely are you to recommend Kanava to a colleague?" 0-10; null when skipped
  score            smallint check (score between 0 and 10),
  -- statements about the tool, {"easy": 1..5, "helps": 1..5}
  statements       jsonb not null default '{}'::jsonb,
  free_text        text check (length(free_text) <= 2000),
  skipped          boolean not null,
  created_at       timestamptz not null,
  check (skipped = (score is null))
);
create index professional_feedback_month_idx on professional_feedback (organisation_id, created_at);

-- When each professional was last asked: asked_at is set when the console is asked to show the
-- question and cleared by the answer or skip (answered_at), from which closes are counted again.
create table professional_feedback_prompt (
  account_id   uuid primary key references account (id),
  asked_at     timestamptz,
  answered_at  timestamptz
);
