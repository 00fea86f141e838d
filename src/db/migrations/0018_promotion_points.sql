-- Points benefits (issue 8): a promotion may give points instead of a discount ("×2 points on
-- coffee", "+200 points for a receipt from 3,000.00"). Such an adjustment takes nothing off a
-- line, so a receipt's adjustment may be 0 in money; its points are reserved against the
-- promotion's points budget at confirm and released share by share on returns, like money.
alter table receipt_adjustments drop constraint receipt_adjustments_discount_minor_check;
alter table receipt_adjustments add constraint receipt_adjustments_discount_minor_check check (discount_minor >= 0);

alter table promotions add column budget_points bigint check (budget_points >= 0);
alter table promotions add column used_points bigint not null default 0 check (used_points >= 0);
alter table promotions add constraint promotions_within_points_budget check (budget_points is null or used_points <= budget_points);

alter table promotion_redemptions add column points integer not null default 0 check (points >= 0);
alter table promotion_redemptions add column released_points integer not null default 0;
alter table promotion_redemptions add constraint promotion_redemptions_points_released check (released_points >= 0 and released_points <= points);

-- Counters move only for promotions with a budget or a use limit, whose guards need them. A
-- promotion without those (most are) only records its redemptions, under a shared lock of its
-- row, so tills applying it at once do not queue on the row; its usage is summed from the
-- redemptions. Giving it a limit later sets the counters from them under the row's lock
-- (promotion-store.ts). Public codes without limits likewise keep no counter.
create index promotion_redemptions_code on promotion_redemptions (code) where code is not null;
