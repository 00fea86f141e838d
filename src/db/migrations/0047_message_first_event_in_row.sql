-- A campaign queues a million messages; each also wrote a first history row (`queued`, at its
-- creation) to message_events: a row, three index entries and a foreign-key check a message, a
-- third of a chunk's work, for a fact the message row already holds (it was created, queued, at
-- created_at). A message marked so has that first entry in its row: the history read through the
-- API (`history` of a message) puts it first, as before. Only the queued-at-creation entry, whose
-- detail is empty, is kept this way; every later entry, and a message created skipped (with its
-- reason), is a row of message_events as before. Existing messages keep their rows (false).
alter table messages add column first_event_in_row boolean not null default false;
