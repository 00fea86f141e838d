-- Surveys (issue 12): NPS, CSAT, custom and privilege-ranking surveys a marketer builds; their
-- answers, stored on the customer (customer_id; null for an anonymous public answer); the key
-- that signs per-customer links; and the per-address counters that limit public answers.
create table surveys (
  id text primary key,
  kind text not null check (kind in ('nps', 'csat', 'custom', 'privilege_ranking')),
  status text not null check (status in ('draft', 'open', 'closed')),
  title jsonb not null,
  questions jsonb not null,
  target_respondents integer check (target_respondents > 0),
  public_link boolean not null default false,
  thank_you jsonb,
  version integer not null default 1,
  created_at timestamptz not null,
  updated_at timestamptz not null
);
create index surveys_status on surveys (status, id);

-- One row per answer. A customer answers a survey once: answering again replaces the answers
-- (the unique key), so a report counts each customer once. Anonymous public answers carry no
-- customer; their evidence is a keyed hash of the address, never the address itself.
create table survey_responses (
  id text primary key,
  survey_id text not null references surveys (id),
  customer_id text,
  channel text not null check (channel in ('link', 'public', 'api')),
  answers jsonb not null,
  -- The NPS or CSAT score of the answer (the survey's first nps / rating question), else null.
  score integer,
  ip_hash text,
  user_agent text,
  answered_at timestamptz not null,
  created_at timestamptz not null
);
create unique index survey_responses_one_per_customer on survey_responses (survey_id, customer_id) where customer_id is not null;
create index survey_responses_survey on survey_responses (survey_id, answered_at, id);
create index survey_responses_customer on survey_responses (customer_id, id) where customer_id is not null;

-- The key that signs per-customer survey links (HMAC-SHA256): drawn at first use, never answered.
create table survey_settings (
  id integer primary key check (id = 1),
  link_secret text not null check (length(link_secret) >= 64)
);

-- Public answers counted per survey, hashed address and hour: several instances share the limit.
create table survey_public_hits (
  survey_id text not null,
  ip_hash text not null,
  window_start timestamptz not null,
  hits integer not null check (hits > 0),
  primary key (survey_id, ip_hash, window_start)
);
create index survey_public_hits_window on survey_public_hits (window_start);
