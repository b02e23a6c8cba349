import crypto from "node:crypto";
import { eq, sql, type SQL } from "drizzle-orm";
import { alias, type PgColumn, type PgTable } from "drizzle-orm/pg-core";
import { rowsOf, type Db, type DbOrTx } from "../../db";
import {
  amazonAdsClientBackoff as backoff,
  amazonAdsPendingReports as reports,
  amazonAdsRequestUnits as requests,
  type PendingReport,
  type RequestUnit,
} from "../../db/schema";

/**
 * Claiming work in Postgres: a phase-1 request unit or a pending report, leased (`locked_until`, a fresh
 * `lease_id`: only its holder may finish it; a crashed worker's unit comes back when the lease ends), oldest
 * due first. Each lease holds `lease_slots` of its client key's adaptive limit (client-limits.ts), and a unit
 * is claimable only while its key has a slot free and is not backing off. One advisory lock per claim keeps
 * the count exact across every process (a claim takes milliseconds).
 */

export interface ClaimOptions {
  leaseMs: number;
  /** A client key's limit before it has learnt one, and its ceiling (default: the start). */
  clientConcurrency: number;
  clientConcurrencyMax?: number;
  /** Slots a profile unit asks for; it gets what its key has free, at least one. */
  createsAtOnce?: number;
  scope?: ClaimScope;
  /** Whether history work may be claimed (default true): not near a worker's budget's end. */
  history?: boolean;
}

/** A client key's adaptive limit: AMAZON_ADS_CLIENT_CONCURRENCY (its start) and _MAX (its ceiling). */
export interface ClientLimits {
  start: number;
  max: number;
}

/** A per-organisation run's worker: that organisation's phase-1 units of its own job and plan, or its reports. */
export interface ClaimScope {
  orgId: number;
  queue: "requests" | "reports";
  run?: { job: RequestUnit["job"]; planKey: string };
}

export type Claim =
  { kind: "request"; leaseId: string; unit: RequestUnit } | { kind: "report"; leaseId: string; unit: PendingReport };

const CLAIM_LOCK = 0x616473; // "ads"

type QueueTable = typeof requests | typeof reports;
const historyOf = (table: QueueTable) => (table === requests ? requests.job : reports.kind);

/** The scope's condition on `table`: none for an unscoped worker, never true for the other queue. */
function inScope(table: QueueTable, scope: ClaimScope | undefined): SQL {
  if (!scope) return sql`true`;
  if ((scope.queue === "requests") !== (table === requests)) return sql`false`;
  const { run } = scope;
  const org = sql`${table.orgId} = ${scope.orgId}`;
  if (!run || table !== requests) return org;
  // The daily request's run takes the organisation's history units too: the spec's ?orgId=N crons load it.
  const history = run.job === "request" ? sql` or ${requests.job} = 'history'` : sql``;
  return sql`${org} and ((${requests.job} = ${run.job} and ${requests.planKey} = ${run.planKey})${history})`;
}

/** `table` renamed for a subquery: its FROM item (drizzle renders an alias bare there) and the alias's columns. */
function renamed<T extends PgTable>(table: T, name: string) {
  return { from: sql`${table} as ${sql.identifier(name)}`, columns: alias(table, name) };
}

/** Slots of a client key held by leases in one table (an index range scan). */
function leasedOfClient(table: QueueTable, clientKey: PgColumn | SQL): SQL {
  const { from, columns: l } = renamed(table, "l");
  return sql`(select coalesce(sum(${l.leaseSlots}), 0) from ${from} where ${l.status} = 'pending' and ${l.clientKey} = ${clientKey} and ${l.lockedUntil} > now())`;
}

/** Slots of a client key (a column, or a value) in use now, over both queues. */
export const slotsInUse = (clientKey: PgColumn | SQL) =>
  sql`(${leasedOfClient(requests, clientKey)} + ${leasedOfClient(reports, clientKey)})`;

/** A client key's limit now: its learnt concurrency (whole calls), else the start; within [1, max]. */
function limitOf(clientKey: PgColumn | SQL, limits: ClientLimits): SQL {
  const { from, columns: b } = renamed(backoff, "bl");
  return sql`least(${limits.max}, greatest(1, floor(coalesce((select ${b.concurrency} from ${from} where ${b.clientKey} = ${clientKey}), ${limits.start}))))`;
}

/**
 * Client keys nothing may be claimed for now: backing off, or every slot leased. Computed once per claim from
 * the few leases in force, not per due unit walked past (thousands may wait on the operator's full key).
 */
function blockedKeys(limits: ClientLimits): SQL {
  const leasesOf = (table: QueueTable, name: string) => {
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

/** The id of the oldest due unit of `table` (of history work or not) that this claim may take, locked (or nothing). */
function claimable(table: QueueTable, limits: ClientLimits, scope: ClaimScope | undefined, history: boolean): SQL {
  const due = table === requests ? requests.availableAt : reports.nextPollAt;
  return sql`(select ${table.id} from ${table}
    where ${table.status} = 'pending'
      and ${inScope(table, scope)}
      and ${historyOf(table)} ${history ? sql`=` : sql`<>`} 'history'
      and ${due} <= now()
      and (${table.lockedUntil} is null or ${table.lockedUntil} <= now())
      and (${table.clientKey} is null or ${table.clientKey} not in ${blockedKeys(limits)})
    order by ${due}, ${table.id}
    limit 1
    for update skip locked)`;
}

/** The next unit, leased: the day's request units, its reports, then history units and reports (never first). */
export async function claimNextUnit(db: Db, options: ClaimOptions): Promise<Claim | null> {
  const leaseId = crypto.randomUUID();
  const lockedUntil = sql`now() + make_interval(secs => ${options.leaseMs / 1000})`;
  const { clientConcurrency: start, clientConcurrencyMax: max = 0 } = options;
  const limits = { start, max: Math.max(start, max) };
  const free = sql`${limitOf(requests.clientKey, limits)} - ${slotsInUse(requests.clientKey)}`;
  const requestSlots = sql`case when ${requests.kind} = 'profile' and ${requests.clientKey} is not null
    then greatest(1, least(${options.createsAtOnce ?? 1}, ${free})) else 1 end`;
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${CLAIM_LOCK})`);
    const claim = async (history: boolean): Promise<Claim | null> => {
      const [request] = await tx
        .update(requests)
        .set({ lockedUntil, leaseId, leaseSlots: requestSlots, attempts: sql`${requests.attempts} + 1` })
        .where(eq(requests.id, claimable(requests, limits, options.scope, history)))
        .returning();
      if (request) return { kind: "request", leaseId, unit: request };
      const [report] = await tx
        .update(reports)
        .set({ lockedUntil, leaseId, leaseSlots: 1 })
        .where(eq(reports.id, claimable(reports, limits, options.scope, history)))
        .returning();
      return report ? { kind: "report", leaseId, unit: report } : null;
    };
    const day = await claim(false);
    if (day || options.history === false) return day;
    return claim(true);
  });
}

/**
 * When the next pending unit is due (its key's backoff included), or null. Held phase-1 units count as due
 * (they may spawn more); a held report is due when its lease ends (its holder schedules its next poll).
 */
export async function nextDueAt(db: Db, scope?: ClaimScope, options: { history?: boolean } = {}): Promise<Date | null> {
  const dueOf = (table: QueueTable, due: SQL) => {
    const { from: backoffs, columns: b } = renamed(backoff, "b");
    return sql`(select min(greatest(${due}, coalesce(${b.until}, ${due})))
      from ${table} left join ${backoffs} on ${b.clientKey} = ${table.clientKey}
      where ${table.status} = 'pending' and ${inScope(table, scope)}
        ${options.history === false ? sql`and ${historyOf(table)} <> 'history'` : sql``})`;
  };
  const reportDue = sql`greatest(${reports.nextPollAt}, coalesce(${reports.lockedUntil}, ${reports.nextPollAt}))`;
  const result = await db.execute(
    sql`select least(${dueOf(requests, sql`${requests.availableAt}`)}, ${dueOf(reports, reportDue)}) as at`,
  );
  const at = (rowsOf(result)[0] as { at: string | Date | null } | undefined)?.at;
  return at ? new Date(at) : null;
}

/** Units that can be in progress at once over the pending work: `perKey` per client key, one per keyless unit. */
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

/** A client id Amazon answered 429: its units wait 30 s, doubling per strike up to 10 min; others go on. */
export async function backOffClient(db: DbOrTx, clientKey: string): Promise<void> {
  // Quiet for 10 minutes past its last backoff: it starts again from one strike.
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
