-- The store mix of a window of a customer's folded baskets (rollup_customer_baskets.store_cum,
-- a matrix of one row a store, n purchases a row): how many stores the customer bought at in
-- purchases a+1 … b, and how many of those purchases were at the most visited one.
--
-- A function rather than the subquery it replaces (purchase-summaries.ts): PostgreSQL 15 runs no
-- lateral subquery that reads the outer row in parallel workers, which kept clustering's feature
-- read over a million customers on one process; a function called from FROM does not stop them.
-- PL/pgSQL rather than SQL: a SQL function would be inlined back into that subquery.
create function rollup_store_mix(cum int4[], n int, a int, b int, out stores int, out top_store int)
language plpgsql immutable strict parallel safe as $$
declare
  c int;
begin
  stores := 0;
  top_store := 0;
  for k in 1 .. cardinality(cum) / n loop
    c := cum[(k - 1) * n + b] - case when a = 0 then 0 else cum[(k - 1) * n + a] end;
    if c > 0 then
      stores := stores + 1;
      top_store := greatest(top_store, c);
    end if;
  end loop;
end
$$;
