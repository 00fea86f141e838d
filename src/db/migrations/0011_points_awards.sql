-- Points other modules give and take through loyalty's points port (issue 8): bonuses for
-- actions, referrals, birthdays and lottery prizes are 'award' lots and entries; rewards bought
-- with points are 'redeem' entries whose receipt_id names the reward order (a document other
-- than a receipt), so a cancelled order's points come back with the expiry they had.
alter table point_lots drop constraint point_lots_source_check;
alter table point_lots add constraint point_lots_source_check check (source in ('receipt', 'adjustment', 'return', 'bulk', 'award'));
alter table point_entries drop constraint point_entries_kind_check;
alter table point_entries add constraint point_entries_kind_check
  check (kind in ('earn', 'activate', 'redeem', 'expire', 'reverse_earn', 'return_redeemed', 'adjust', 'award'));
