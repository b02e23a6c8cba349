import crypto from "node:crypto";
import { eq, sql, type SQL } from "drizzle-orm";
import { alias, type PgColumn, type PgTable } from "drizzle-orm/pg-core";
import { rowsOf, type Db, type DbOrTx } from "../../db";
import {
  amazonAdsClientBackoff,
  amazonAdsPendingReports,
  amazonAdsRequestUnits,
  type PendingReport,
  type RequestUnit,
} from "../../db/schema";

/**
 * Claiming work in Postgres. Two kinds of unit: a phase-1 request unit (one organisation's profile
 * discovery, or one (organisation, profile)'s report requests) and a phase-2 pending report (one
 * poll, and the load when Amazon has finished it). A claim is a lease: `locked_until` and a fresh
 * `lease_id`; only the holder of that lease may finish the unit, and a crashed worker's unit is
 * claimable again once the lease has run out. Oldest due unit first, so none starves.
 *
 * Calls per client key (LwA client id and region, client-key.ts) are bounded: each lease holds
 * `lease_slots` of its client key's limit (one call at a time; a profile's parallel creates several),
 * and a unit is claimable only while its client key has a slot free and is not backing off after a
 * 429. The limit adapts (client-limits.ts): it starts at `clientConcurrency` and moves within
 * [1, `clientConcurrencyMax`]. Claims take one transaction-scoped advisory lock, so the count is
 * exact across every process on the database (a claim is a few milliseconds; FOR UPDATE SKIP LOCKED
 * keeps it safe on its own as well).
 */

export interface ClaimOptions {
  leaseMs: number;
  /** A client key's limit of calls at once until it has learnt one (AMAZON_ADS_CLIENT_CONCURRENCY). */
  clientConcurrency: number;
  /** The ceiling its adaptive limit may rise to (AMAZON_ADS_CLIENT_CONCURRENCY_MAX); default: clientConcurrency. */
  clientConcurrencyMax?: number;
  /** Slots a profile unit asks for (its creates at once); it gets what its client key has free, at least one. */
  profileSlots?: number;
  scope?: ClaimScope;
  /** Whether history units and reports may be claimed (default true): not near a worker's budget's end. */
  history?: boolean;
}

/** How a claim bounds each client key: its limit's start and ceiling. */
interface Limits {
  start: number;
  max: number;
}

/**
 * A worker limited to one organisation and one queue: a per-organisation run (its cron, the CLI, a
 * backfill) works through that organisation's phase-1 units of its own job and plan (of any run
 * date), or its reports, and nothing else.
 */
export interface ClaimScope {
  orgId: number;
  queue: "requests" | "reports";
  /** Requests: only the units of this run (the daily request, or one backfill's plan). */
  run?: { job: RequestUnit["job"]; planKey: string };
}

export type Claim =
  { kind: "request"; leaseId: string; unit: RequestUnit } | { kind: "report"; leaseId: string; unit: PendingReport };

/** One key for every claim (the advisory lock's key space is ours: nothing else in the app uses it). */
const CLAIM_LOCK = 0x616473; // "ads"

const requests = amazonAdsRequestUnits;
const reports = amazonAdsPendingReports;
const backoff = amazonAdsClientBackoff;

/** The columns both queue tables share, by which a unit is claimed. */
type QueueTable = PgTable & {
  id: PgColumn;
  orgId: PgColumn;
  status: PgColumn;
  clientKey: PgColumn;
  lockedUntil: PgColumn;
};

/** The scope's condition on `table`: none for an unscoped worker, never true for the other queue. */
function inScope(table: QueueTable, scope: ClaimScope | undefined): SQL {
  if (!scope) return sql`true`;
  if ((scope.queue === "requests") !== (table === requests)) return sql`false`;
  const run = scope.run && table === requests;
  if (!run) return sql`${table.orgId} = ${scope.orgId}`;
  const own = sql`${requests.job} = ${scope.run!.job} and ${requests.planKey} = ${scope.run!.planKey}`;
  // The daily request's run takes the organisation's history units too (of any day): an installation
  // that schedules only the spec's ?orgId=N crons gets its history from them.
  return scope.run!.job === "request"
    ? sql`${table.orgId} = ${scope.orgId} and ((${own}) or ${requests.job} = 'history')`
    : sql`${table.orgId} = ${scope.orgId} and ${own}`;
}

/**
 * `table` under another name, for a subquery over a table the outer query already names: the FROM
 * item (drizzle renders an alias object as its bare name there) and the alias's columns.
 */
function renamed<T extends PgTable>(table: T, name: string) {
  return { from: sql`${table} as ${sql.identifier(name)}`, columns: alias(table, name) };
}

/** Slots of a client key held by leases in one table (an index range scan). */
function leasedOfClient(table: typeof requests | typeof reports, clientKey: PgColumn | SQL): SQL {
  const { from, columns: l } = renamed(table, "l");
  return sql`(select coalesce(sum(${l.leaseSlots}), 0) from ${from} where ${l.status} = 'pending' and ${l.clientKey} = ${clientKey} and ${l.lockedUntil} > now())`;
}

/** Slots of a client key (a column, or a value) in use now, over both queues. */
export const slotsInUse = (clientKey: PgColumn | SQL) =>
  sql`(${leasedOfClient(requests, clientKey)} + ${leasedOfClient(reports, clientKey)})`;

/** A client key's limit now: its learnt concurrency (whole calls), else the start; within [1, max]. */
function limitOf(clientKey: PgColumn | SQL, limits: Limits): SQL {
  const { from, columns: b } = renamed(backoff, "bl");
  return sql`least(${limits.max}, greatest(1, floor(coalesce((select ${b.concurrency} from ${from} where ${b.clientKey} = ${clientKey}), ${limits.start}))))`;
}

/**
 * Client keys nothing may be claimed for now: backing off, or with every slot of their limit leased.
 * Computed once per claim from the leases alone (few: the units in progress), so a claim does not
 * count slots again for each due unit it walks past (thousands of organisations share the operator's
 * key, and all its due units wait while it is full).
 */
function blockedKeys(limits: Limits): SQL {
  const leasesOf = (table: typeof requests | typeof reports, name: string) => {
    const { from, columns: l } = renamed(table, name);
    return sql`select ${l.clientKey} as key, ${l.leaseSlots} as slots from ${from}
      where ${l.status} = 'pending' and ${l.lockedUntil} > now() and ${l.clientKey} is not null`;
  };
  const { from: backoffs, columns: b } = renamed(backoff, "bk");
  return sql`(select u.key from (select key, sum(slots) as used from (${leasesOf(requests, "lr")} union all ${leasesOf(reports, "lp")}) leased group by key) u
      where u.used >= ${limitOf(sql.raw("u.key"), limits)}
    union all
    select ${b.clientKey} from ${backoffs} where ${b.until} > now())`;
}

/** The id of the oldest due unit of `table` that this claim may take, locked (or nothing). */
function claimable(
  table: QueueTable,
  due: PgColumn,
  limits: Limits,
  scope: ClaimScope | undefined,
  only: SQL = sql`true`,
): SQL {
  return sql`(select ${table.id} from ${table}
    where ${table.status} = 'pending'
      and ${inScope(table, scope)}
      and ${only}
      and ${due} <= now()
      and (${table.lockedUntil} is null or ${table.lockedUntil} <= now())
      and (${table.clientKey} is null or ${table.clientKey} not in ${blockedKeys(limits)})
    order by ${due}, ${table.id}
    limit 1
    for update skip locked)`;
}

/**
 * The next unit this worker may work on, leased to it: the day's request units first (they feed the
 * reports), then the day's reports, then history units and last history reports (a new profile's
 * past days: they never hold back a day's requests or its loads).
 */
export async function claimNextUnit(db: Db, options: ClaimOptions): Promise<Claim | null> {
  const leaseId = crypto.randomUUID();
  const lockedUntil = sql`now() + make_interval(secs => ${options.leaseMs / 1000})`;
  const limits = {
    start: options.clientConcurrency,
    max: Math.max(options.clientConcurrency, options.clientConcurrencyMax ?? 0),
  };
  // A profile unit takes up to `profileSlots` of what its client key has free (at least the one it was claimed by).
  const free = sql`${limitOf(requests.clientKey, limits)} - ${slotsInUse(requests.clientKey)}`;
  const requestSlots = sql`case when ${requests.kind} = 'profile' and ${requests.clientKey} is not null
    then greatest(1, least(${options.profileSlots ?? 1}, ${free})) else 1 end`;
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${CLAIM_LOCK})`);
    const claimRequest = async (only: SQL) => {
      const [request] = await tx
        .update(requests)
        .set({ lockedUntil, leaseId, leaseSlots: requestSlots, attempts: sql`${requests.attempts} + 1` })
        .where(eq(requests.id, claimable(requests, requests.availableAt, limits, options.scope, only)))
        .returning();
      return request ? { kind: "request" as const, leaseId, unit: request } : null;
    };
    const claimReport = async (only: SQL) => {
      const [report] = await tx
        .update(reports)
        .set({ lockedUntil, leaseId, leaseSlots: 1 })
        .where(eq(reports.id, claimable(reports, reports.nextPollAt, limits, options.scope, only)))
        .returning();
      return report ? { kind: "report" as const, leaseId, unit: report } : null;
    };
    const day =
      (await claimRequest(sql`${requests.job} <> 'history'`)) ?? (await claimReport(sql`${reports.kind} <> 'history'`));
    if (day || options.history === false) return day;
    return (
      (await claimRequest(sql`${requests.job} = 'history'`)) ?? (await claimReport(sql`${reports.kind} = 'history'`))
    );
  });
}

/**
 * The soonest moment a pending unit is due, its client id's backoff included, or null when nothing
 * is pending. Phase-1 units another worker holds count as due: they may finish any moment, or spawn
 * more (a discovery queues its profiles), so a worker lingers a little for them (worker.ts). A
 * report another worker holds is due when that lease runs out: its holder schedules its next poll.
 */
export async function nextDueAt(db: Db, scope?: ClaimScope, options: { history?: boolean } = {}): Promise<Date | null> {
  const dueOf = (table: QueueTable, due: SQL) => {
    const { from: backoffs, columns: b } = renamed(backoff, "b");
    const history = table === requests ? requests.job : reports.kind;
    return sql`(select min(greatest(${due}, coalesce(${b.until}, ${due})))
      from ${table} left join ${backoffs} on ${b.clientKey} = ${table.clientKey}
      where ${table.status} = 'pending' and ${inScope(table, scope)}
        ${options.history === false ? sql`and ${history} <> 'history'` : sql``})`;
  };
  const reportDue = sql`greatest(${reports.nextPollAt}, coalesce(${reports.lockedUntil}, ${reports.nextPollAt}))`;
  const result = await db.execute(
    sql`select least(${dueOf(requests, sql`${requests.availableAt}`)}, ${dueOf(reports, reportDue)}) as at`,
  );
  const at = (rowsOf(result)[0] as { at: string | Date | null } | undefined)?.at;
  return at ? new Date(at) : null;
}

/**
 * How many units can be in progress at once over the pending work: each client key with pending units
 * holds at most `perKey` (its limit's ceiling) of them; a unit without a key (its settings unreadable:
 * it fails at once) counts as one.
 */
export async function unitsAtOnceForPendingWork(db: Db, perKey: number): Promise<number> {
  const keysOf = (table: QueueTable) =>
    sql`select distinct ${table.clientKey} as key from ${table} where ${table.status} = 'pending'`;
  const result = await db.execute(
    sql`select count(key)::int as keyed, count(*) filter (where key is null)::int as unkeyed
      from (${keysOf(requests)} union ${keysOf(reports)}) pending`,
  );
  const row = rowsOf(result)[0] as { keyed: number; unkeyed: number } | undefined;
  return (row?.keyed ?? 0) * perKey + (row?.unkeyed ?? 0);
}

/**
 * A client id Amazon answered 429 to: its units wait (30 s, doubling per strike while the 429s
 * keep coming, at most 10 min) while every other client id's work goes on.
 */
export async function backOffClient(db: DbOrTx, clientKey: string): Promise<void> {
  // A client id that has been quiet for 10 minutes past its last backoff starts again from one strike.
  const strikes = sql`(case when ${backoff.until} < now() - interval '10 minutes' then 0 else ${backoff.strikes} end)`;
  await db
    .insert(backoff)
    .values({ clientKey, until: sql`now() + interval '30 seconds'`, strikes: 1 })
    .onConflictDoUpdate({
      target: backoff.clientKey,
      set: {
        strikes: sql`${strikes} + 1`,
        // Never sooner than a wait already set (Amazon's Retry-After).
        until: sql`greatest(${backoff.until}, now() + least(interval '10 minutes', interval '30 seconds' * power(2, ${strikes})))`,
      },
    });
}
