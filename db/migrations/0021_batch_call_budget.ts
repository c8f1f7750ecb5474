// QuickBooks limits batch requests (POST /batch: 40 a minute per company) apart from, and on top of, its 500 requests
// a minute. A call now records its kind ('batch' or null), and settle_acquire_call gains an overload that also keeps
// a connection's batch calls inside `p_batch_per_minute`; and it can end a call (`p_release`) before counting, so a
// process handing a finished call's slot to its next caller pays one round trip, not two. The nine-argument function
// stays as 0013 left it, for processes still running the code before this migration.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('accounting_calls').addColumn('kind', 'text').execute();
  await sql`
    create function settle_acquire_call(
      p_connection text, p_platform text, p_minute interval, p_day interval, p_lease interval,
      p_per_minute int, p_concurrent int, p_per_day int, p_app_per_minute int, p_kind text, p_batch_per_minute int, p_release bigint
    ) returns table (lease_id bigint, wait_ms float8, reason text)
    language plpgsql volatile as $$
    declare
      u record;
      b record;
      app_count int;
      new_id bigint;
    begin
      perform pg_advisory_xact_lock(hashtextextended(p_connection, 0));
      if p_release is not null then
        update accounting_calls set finished_at = clock_timestamp() where id = p_release and finished_at is null;
      end if;
      select
        count(*) filter (where started_at > clock_timestamp() - p_minute)::int as minute_count,
        (extract(epoch from min(started_at) filter (where started_at > clock_timestamp() - p_minute) + p_minute - clock_timestamp()) * 1000)::float8 as oldest_in_minute_ms,
        count(*) filter (where finished_at is null and coalesce(renewed_at, started_at) > clock_timestamp() - p_lease)::int as in_flight,
        count(*)::int as day_count,
        (extract(epoch from min(started_at) + p_day - clock_timestamp()) * 1000)::float8 as oldest_in_day_ms
      into u
      from accounting_calls where connection_id = p_connection and started_at > clock_timestamp() - p_day;
      if p_per_day is not null and u.day_count >= p_per_day then
        return query select null::bigint, greatest(1, ceil(coalesce(u.oldest_in_day_ms, extract(epoch from p_day) * 1000)))::float8, 'day'::text;
        return;
      end if;
      if u.minute_count >= p_per_minute then
        return query select null::bigint, greatest(1, ceil(coalesce(u.oldest_in_minute_ms, extract(epoch from p_minute) * 1000)))::float8, 'minute'::text;
        return;
      end if;
      if p_kind = 'batch' and p_batch_per_minute is not null then
        select count(*)::int as n, (extract(epoch from min(started_at) + p_minute - clock_timestamp()) * 1000)::float8 as oldest_ms
        into b
        from accounting_calls where connection_id = p_connection and kind = 'batch' and started_at > clock_timestamp() - p_minute;
        if b.n >= p_batch_per_minute then
          return query select null::bigint, greatest(1, ceil(coalesce(b.oldest_ms, extract(epoch from p_minute) * 1000)))::float8, 'minute'::text;
          return;
        end if;
      end if;
      if u.in_flight >= p_concurrent then
        return query select null::bigint, 10::float8, 'concurrent'::text;
        return;
      end if;
      if p_app_per_minute is not null then
        select count(*)::int into app_count from accounting_calls where platform = p_platform and started_at > clock_timestamp() - p_minute;
        if app_count >= p_app_per_minute then
          return query select null::bigint, 100::float8, 'app'::text;
          return;
        end if;
      end if;
      delete from accounting_calls where connection_id = p_connection and started_at < clock_timestamp() - p_day;
      insert into accounting_calls (connection_id, platform, started_at, kind) values (p_connection, p_platform, clock_timestamp(), p_kind) returning id into new_id;
      return query select new_id, null::float8, null::text;
    end $$`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop function settle_acquire_call(text, text, interval, interval, interval, int, int, int, int, text, int, bigint)`.execute(db);
  await db.schema.alterTable('accounting_calls').dropColumn('kind').execute();
}
