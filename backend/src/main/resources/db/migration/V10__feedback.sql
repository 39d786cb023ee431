-- In-flow feedback (issue 13): one response per service event, tied to what national monitoring
-- needs (THL's customer-feedback model): the event, its queue and unit, the professional's role, the
-- channel, the language and whether a transfer or consultation happened. No patient id: the event
-- identifies the service, not the respondent.
create table feedback_response (
  id                 uuid primary key,
  event_kind         text not null check (event_kind in ('conversation', 'visit', 'consultation')),
  event_id           uuid not null,
  queue_id           text not null references queue (id),
  unit               text references organisation (id),
  professional_role  text,
  channel            text not null check (channel in ('chat', 'video')),
  language           text not null,
  transferred        boolean not null,
  consulted          boolean not null,
  -- the recommendation question, 0-10; null when the patient skipped
  score              smallint check (score between 0 and 10),
  -- core statements answered, {"access": 1..5, ...}
  statements         jsonb not null default '{}'::jsonb,
  free_text          text check (length(free_text) <= 2000),
  skipped            boolean not null,
  created_at         timestamptz not null,
  check (skipped = (score is null)),
  unique (event_kind, event_id)
);
create index feedback_response_queue_month_idx on feedback_response (queue_id, created_at);

-- The core statements each queue's feedback asks (FeedbackStatements): all five unless the admin chooses 2-5.
alter table queue add column feedback_statements text[] not null
  default array['access', 'involved', 'safety', 'information', 'usefulness'];
