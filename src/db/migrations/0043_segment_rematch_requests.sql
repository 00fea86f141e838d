-- A recompute asked for fresh matches while one is running (a new RFM or clustering run moved
-- customers with no event) is told so on its row, whichever instance walks it: the requests
-- counted, and the count its matches were found after. The walker finds them again when the
-- second is behind (issue 9: a segment on a new RFM group is current on any instance).
alter table segment_recomputes
  add column rematch_requests integer not null default 0,
  add column matched_requests integer not null default 0;
