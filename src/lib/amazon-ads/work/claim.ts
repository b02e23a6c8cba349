import crypto from "node:crypto";
import { eq, sql, type SQL } from "drizzle-orm";
import type { Db, DbOrTx } from "../../db";
import { amazonAdsPendingReports, amazonAdsRequestUnits, type PendingReport, type RequestUnit } from "../../db/schema";

/**
 * Claiming work in Postgres. Two kinds of unit: a phase-1 request unit (one organisation's profile
 * discovery, or one (organisation, profile)'s report requests) and a phase-2 pending report (one
 * poll, and the load when Amazon has finished it). A claim is a lease: `locked_until` and a fresh
 * `lease_id`; only the holder of that lease may finish the unit, and a crashed worker's unit is
 * claimable again once the lease has run out. Oldest due unit first, so none starves.
 *
 * Calls per LwA client id are bounded: a unit is claimable only while fewer than
 * `clientConcurrency` units of its client id are leased, and not while that client id is backing
 * off after a 429. Claims take one transaction-scoped advisory lock, so that count is exact across
 * every process on the database (a claim is a few milliseconds; FOR UPDATE SKIP LOCKED keeps it
 * safe on its own as well).
 */

export interface ClaimOptions {
  leaseMs: number;
  clientConcurrency: number;
}

export type Claim =
  { kind: "request"; leaseId: string; unit: RequestUnit } | { kind: "report"; leaseId: string; unit: PendingReport };

/** One key for every claim (the advisory lock's key space is ours: nothing else in the app uses it). */
const CLAIM_LOCK = 0x616473; // "ads"

/** Units of the candidate's client id in progress, in one table (an index range scan). */
const leasedOfClient = (table: string) =>
  sql.raw(`(select count(*) from ${table} l
    where l.status = 'pending' and l.client_key = u.client_key and l.locked_until > now())`);

const claimable = (table: string, dueColumn: string, limit: number) => sql`
  select u.id from ${sql.raw(table)} u
  where u.status = 'pending'
    and u.${sql.raw(dueColumn)} <= now()
    and (u.locked_until is null or u.locked_until <= now())
    and (u.client_key is null or (
      not exists (select 1 from amazon_ads_client_backoff b where b.client_key = u.client_key and b.until > now())
      and ${leasedOfClient("amazon_ads_request_units")} + ${leasedOfClient("amazon_ads_pending_reports")} < ${limit}))
  order by u.${sql.raw(dueColumn)}, u.id
  limit 1
  for update skip locked`;

/** The next unit this worker may work on, leased to it; request units before reports (they feed them). */
export async function claimNextUnit(db: Db, options: ClaimOptions): Promise<Claim | null> {
  const leaseId = crypto.randomUUID();
  const lease = sql`now() + make_interval(secs => ${options.leaseMs / 1000})`;
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${CLAIM_LOCK})`);
    const requestId = await leaseOne(tx, "amazon_ads_request_units", "available_at", options, leaseId, lease);
    if (requestId !== null) {
      const t = amazonAdsRequestUnits;
      const [unit] = await tx.select().from(t).where(eq(t.id, requestId));
      return { kind: "request", leaseId, unit: unit! };
    }
    const reportId = await leaseOne(tx, "amazon_ads_pending_reports", "next_poll_at", options, leaseId, lease);
    if (reportId === null) return null;
    const t = amazonAdsPendingReports;
    const [unit] = await tx.select().from(t).where(eq(t.id, reportId));
    return { kind: "report", leaseId, unit: unit! };
  });
}

async function leaseOne(
  tx: DbOrTx,
  table: string,
  dueColumn: string,
  options: ClaimOptions,
  leaseId: string,
  lease: SQL,
): Promise<number | null> {
  const attempts = table === "amazon_ads_request_units" ? sql`, attempts = attempts + 1` : sql``;
  const result = await tx.execute(sql`
    update ${sql.raw(table)} set locked_until = ${lease}, lease_id = ${leaseId}${attempts}
    where id = (${claimable(table, dueColumn, options.clientConcurrency)})
    returning id`);
  const row = rowsOf(result)[0] as { id: number } | undefined;
  return row ? Number(row.id) : null;
}

/**
 * The soonest moment a pending unit is due, its client id's backoff included, or null when nothing
 * is pending. Units another worker holds count as due: they may finish any moment, or spawn more
 * (a discovery queues its profiles), so a worker lingers a little for them (worker.ts).
 */
export async function nextDueAt(db: Db): Promise<Date | null> {
  const dueOf = (table: string, dueColumn: string) =>
    sql.raw(`
    select min(greatest(u.${dueColumn}, coalesce(b.until, u.${dueColumn})))
    from ${table} u left join amazon_ads_client_backoff b on b.client_key = u.client_key
    where u.status = 'pending'`);
  const result = await db.execute(
    sql`select least((${dueOf("amazon_ads_request_units", "available_at")}), (${dueOf("amazon_ads_pending_reports", "next_poll_at")})) as at`,
  );
  const at = (rowsOf(result)[0] as { at: string | Date | null } | undefined)?.at;
  return at ? new Date(at) : null;
}

/**
 * A client id Amazon answered 429 to: its units wait (30 s, doubling per strike while the 429s
 * keep coming, at most 10 min) while every other client id's work goes on.
 */
export async function backOffClient(db: DbOrTx, clientKey: string): Promise<void> {
  // A client id that has been quiet for 10 minutes past its last backoff starts again from one strike.
  const strikes = sql.raw(
    `(case when amazon_ads_client_backoff.until < now() - interval '10 minutes' then 0 else amazon_ads_client_backoff.strikes end)`,
  );
  await db.execute(sql`
    insert into amazon_ads_client_backoff (client_key, until, strikes) values (${clientKey}, now() + interval '30 seconds', 1)
    on conflict (client_key) do update set
      strikes = ${strikes} + 1,
      until = now() + least(interval '10 minutes', interval '30 seconds' * power(2, ${strikes}))`);
}

/** node-postgres answers { rows }, PGlite answers { rows } too, under drizzle's execute. */
export function rowsOf(result: unknown): unknown[] {
  return (result as { rows?: unknown[] }).rows ?? [];
}
