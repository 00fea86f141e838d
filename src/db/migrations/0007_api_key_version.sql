-- One counter every instance's API-key cache compares (at most once a second) to notice a key
-- revoked elsewhere: by another instance, by `patron keys revoke`, or straight in SQL. The
-- trigger bumps it on any change of who a key lets in, whoever makes it; last_used_at updates
-- leave it alone.
create table api_key_version (
  id boolean primary key default true check (id),
  version bigint not null
);
insert into api_key_version (id, version) values (true, 1);

create function bump_api_key_version() returns trigger language plpgsql as $$
begin
  update api_key_version set version = version + 1;
  return null;
end $$;

create trigger api_keys_version_bump
  after update of revoked_at, role, secret_hash or delete on api_keys
  for each statement execute function bump_api_key_version();
