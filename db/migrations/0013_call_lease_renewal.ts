// A call in flight holds one of the connection's concurrent slots until it finishes — or, if its worker died
// mid-call (kill -9, a lost host), until its lease runs out. The lease was a fixed two minutes from the start, which
// froze a merchant's connection that long after every crash (found by test/chaos/worker-kill). Now a live process
// renews its calls' leases every few seconds (activities/accounting/rate-budget.ts), so a lease can be short: a dead
// worker's slots come back within seconds, and a slow call that is still alive keeps its slot.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('accounting_calls').addColumn('renewed_at', 'timestamptz').execute();
  await replaceFunction(db, sql`coalesce(renewed_at, started_at)`);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await replaceFunction(db, sql`started_at`);
  await db.schema.alterTable('accounting_calls').dropColumn('renewed_at').execute();
}

/** settle_acquire_call as in 0006, with `aliveSince` as what the lease counts from. */
async function replaceFunction(db: Kysely<unknown>, aliveSince: ReturnType<typeof sql>): Promise<void> {
  await sql`
    create or replace function settle_acquire_call(
      p_connection text, p_platform text, p_minute interval, p_day interval, p_lease interval,
      p_per_minute int, p_concurrent int, p_per_day int, p_app_per_minute int
    ) returns table (lease_id bigint, wait_ms float8, reason text)
    language plpgsql volatile as $$
    declare
      u record;
      app_count int;
      new_id bigint;
    begin
      perform pg_advisory_xact_lock(hashtextextended(p_connection, 0));
      select
        count(*) filter (where started_at > clock_timestamp() - p_minute)::int as minute_count,
        (extract(epoch from min(started_at) filter (where started_at > clock_timestamp() - p_minute) + p_minute - clock_timestamp()) * 1000)::float8 as oldest_in_minute_ms,
        count(*) filter (where finished_at is null and ${aliveSince} > clock_timestamp() - p_lease)::int as in_flight,
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
      -- Rows older than the day window count for nothing any more.
      delete from accounting_calls where connection_id = p_connection and started_at < clock_timestamp() - p_day;
      insert into accounting_calls (connection_id, platform, started_at) values (p_connection, p_platform, clock_timestamp()) returning id into new_id;
      return query select new_id, null::float8, null::text;
    end $$`.execute(db);
}
