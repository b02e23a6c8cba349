// The scale run's database: a throwaway PostgreSQL database (databases.ts) with the organisations and
// their credentials saved as the settings page saves them, a bench-only trigger that timestamps every
// claim and release of a unit (the per-unit costs), and a sampler of the database's connections.
import pg from "pg";
import { createOrganisation } from "../../src/lib/orgs/organisations";
import { saveAmazonAdsSettings } from "../../src/lib/settings";
import { createPostgresDb, type BenchDb } from "./databases";
import { peakInWindow } from "./scale-calls";
import type { ScaleOrg } from "./scale-protocol";

// Not the app's: a log of lease changes, written by the database itself (clock_timestamp(), so a unit's
// time is from the statement that leased it to the one that let it go; the claim's own query is outside).
const EVENTS_DDL = `
create table bench_unit_events (
  id bigserial primary key, tbl text not null, unit_id int not null, org_id int not null, profile_id text not null,
  lease_id text not null, event text not null, status text not null, at timestamptz not null default clock_timestamp());
create function bench_unit_event() returns trigger language plpgsql as $$
begin
  if new.lease_id is distinct from old.lease_id then
    if old.lease_id is not null then
      insert into bench_unit_events (tbl, unit_id, org_id, profile_id, lease_id, event, status)
      values (tg_table_name, new.id, new.org_id, new.profile_id, old.lease_id, 'release', new.status);
    end if;
    if new.lease_id is not null then
      insert into bench_unit_events (tbl, unit_id, org_id, profile_id, lease_id, event, status)
      values (tg_table_name, new.id, new.org_id, new.profile_id, new.lease_id, 'claim', new.status);
    end if;
  end if;
  return new;
end $$;
create trigger bench_unit_event after update on amazon_ads_request_units
  for each row execute function bench_unit_event();
create trigger bench_unit_event after update on amazon_ads_pending_reports
  for each row execute function bench_unit_event();
create table bench_report_inserts (unit_id int primary key, first_poll_in_ms double precision not null);
create function bench_report_insert() returns trigger language plpgsql as $$
begin
  insert into bench_report_inserts values (new.id, extract(epoch from new.next_poll_at - new.created_at) * 1000);
  return new;
end $$;
create trigger bench_report_insert after insert on amazon_ads_pending_reports
  for each row execute function bench_report_insert();`;

/** The bench's own connections (queries, sampler), left out of the connection count. */
const BENCH_APP = "bench-scale";

export interface ScaleDb {
  bench: BenchDb;
  url: string;
  /** organisation index → org id */
  orgIds: number[];
  query<T>(text: string, values?: unknown[]): Promise<T[]>;
  dispose(): Promise<void>;
}

/**
 * A fresh database with `orgs` set up; the app's getDb() points at it with a pool of `poolMax`. The
 * organisations whose client id is `operatorClientId` are saved as the operator's app leaves them: client
 * id and secret empty (the app signs them in with AMAZON_ADS_CLIENT_ID/SECRET), their own refresh token.
 */
export async function createScaleDb(
  orgs: readonly ScaleOrg[],
  poolMax: number,
  operatorClientId: string | null = null,
): Promise<ScaleDb> {
  process.env.DATABASE_POOL_MAX = String(poolMax);
  const bench = await createPostgresDb();
  const url = bench.env.DATABASE_URL!;
  const client = new pg.Client({ connectionString: url, application_name: BENCH_APP });
  await client.connect();
  try {
    await client.query(EVENTS_DDL);
    const orgIds: number[] = [];
    for (const org of orgs) {
      const orgId = await createOrganisation(`Scale org ${org.index + 1}`);
      const operators = org.clientId === operatorClientId;
      await saveAmazonAdsSettings(orgId, {
        client_id: operators ? "" : org.clientId,
        client_secret: operators ? "" : org.clientSecret,
        refresh_token: org.refreshToken,
        profile_id: "",
        profiles: "all",
        region: "EU",
      });
      orgIds.push(orgId);
    }
    return {
      bench,
      url,
      orgIds,
      query: async <T>(text: string, values?: unknown[]) => (await client.query(text, values)).rows as T[],
      async dispose() {
        await client.end();
        await bench.dispose();
      },
    };
  } catch (error) {
    await client.end();
    await bench.dispose();
    throw error;
  }
}

export interface ConnectionPeaks {
  /** Most connections to the database at once (the bench's own left out). */
  peak: number;
  /** Most of them running a statement at once. */
  peakActive: number;
  samples: number;
}

/** Samples pg_stat_activity every `everyMs` from its own connection until stopped. */
export function sampleConnections(url: string, everyMs = 100): { stop(): Promise<ConnectionPeaks> } {
  const peaks: ConnectionPeaks = { peak: 0, peakActive: 0, samples: 0 };
  let running = true;
  const loop = (async () => {
    const client = new pg.Client({ connectionString: url, application_name: BENCH_APP });
    await client.connect();
    try {
      while (running) {
        const { rows } = await client.query<{ total: string; active: string }>(
          `select count(*) as total, count(*) filter (where state = 'active') as active
           from pg_stat_activity where datname = current_database() and application_name <> $1`,
          [BENCH_APP],
        );
        peaks.peak = Math.max(peaks.peak, Number(rows[0]!.total));
        peaks.peakActive = Math.max(peaks.peakActive, Number(rows[0]!.active));
        peaks.samples++;
        await new Promise((resolve) => setTimeout(resolve, everyMs));
      }
    } finally {
      await client.end();
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return peaks;
    },
  };
}

export interface UnitCost {
  kind: "discover" | "discover, 429 storm" | "profile" | "poll" | "load" | "failed report";
  units: number;
  totalMs: number;
  meanMs: number;
  p95Ms: number;
  maxMs: number;
}

/**
 * Leased time per kind of unit, from the trigger's log: claim → release of the same lease. Discoveries of
 * organisations under a 429 storm (`stormOrgIds`) are a kind of their own: they cost far more.
 */
export async function unitCosts(
  db: ScaleDb,
  stormOrgIds: number[],
): Promise<{ costs: UnitCost[]; unreleased: number }> {
  const costs = await db.query<{
    kind: UnitCost["kind"];
    units: string;
    total: string;
    mean: string;
    p95: string;
    max: string;
  }>(
    `
    with units as (
      select case when c.tbl = 'amazon_ads_request_units' then (case when c.profile_id <> '' then 'profile'
                  when c.org_id = any($1) then 'discover, 429 storm' else 'discover' end)
                  when r.status = 'completed' then 'load' when r.status = 'pending' then 'poll' else 'failed report' end as kind,
             extract(epoch from r.at - c.at) * 1000 as ms
      from bench_unit_events c join bench_unit_events r on r.lease_id = c.lease_id and r.event = 'release'
      where c.event = 'claim')
    select kind, count(*) as units, sum(ms) as total, avg(ms) as mean,
           percentile_cont(0.95) within group (order by ms) as p95, max(ms) as max
    from units group by kind`,
    [stormOrgIds],
  );
  const order: UnitCost["kind"][] = ["discover", "discover, 429 storm", "profile", "poll", "load", "failed report"];
  const [open] = await db.query<{ unreleased: string }>(`
    select count(*) as unreleased from bench_unit_events c where c.event = 'claim'
      and not exists (select 1 from bench_unit_events r where r.lease_id = c.lease_id and r.event = 'release')`);
  return {
    costs: costs
      .map((c) => ({
        kind: c.kind,
        units: Number(c.units),
        totalMs: Number(c.total),
        meanMs: Number(c.mean),
        p95Ms: Number(c.p95),
        maxMs: Number(c.max),
      }))
      .sort((a, b) => order.indexOf(a.kind) - order.indexOf(b.kind)),
    unreleased: Number(open?.unreleased ?? 0),
  };
}

/** Claims over the run: the mean per second, and the most in any 1-second window. */
export async function claimRate(db: ScaleDb, runMs: number): Promise<{ mean: number; peak: number }> {
  const rows = await db.query<{ ms: string }>(
    `select extract(epoch from at) * 1000 as ms from bench_unit_events where event = 'claim' order by at`,
  );
  return { mean: (rows.length * 1000) / runMs, peak: peakInWindow(rows.map((r) => Number(r.ms))) };
}

/**
 * This test server runs with autovacuum off, so the queue tables would never get planner statistics, and
 * the claim query (ORDER BY next_poll_at, id LIMIT 1 under the one claim lock) would then filter and sort
 * every due report for each claim. A stock server's autovacuum analyzes a table soon after it has grown
 * (autovacuum_naptime 1 min): this does the same, ANALYZE of the database every `everyMs`, when (and
 * only when) the server's autovacuum is off. Off with `--no-autoanalyze`, to see the difference.
 */
export function emulateAutoAnalyze(db: ScaleDb, enabled: boolean, everyMs = 60_000): { stop(): Promise<number> } {
  let runs = 0;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> = Promise.resolve();
  const ready = (async () => {
    const [row] = await db.query<{ autovacuum: string }>("show autovacuum");
    if (!enabled || row?.autovacuum === "on") return;
    timer = setInterval(() => {
      running = db.query("analyze").then(() => runs++);
    }, everyMs);
  })();
  return {
    async stop() {
      await ready;
      clearInterval(timer);
      await running;
      return runs;
    },
  };
}

export interface LimitSample {
  key: string;
  min: number;
  median: number;
  max: number;
  samples: number;
  /** Share of the samples in which the key was backing off (`until` ahead: no unit of it claimable). */
  backingOff: number;
}

export interface LimitFigures {
  /** The start of every client key's limit (AMAZON_ADS_CLIENT_CONCURRENCY): a key without a row is at it. */
  start: number;
  /** Rows of amazon_ads_client_backoff at the end: the keys that learnt a limit or backed off. */
  rows: number;
  /** Over those rows at the end: the limit (null concurrency = start). */
  final: { min: number; median: number; max: number };
  /** The watched keys at the end: their limit, and whether a backoff (strikes) ever hit them. */
  watchedFinal: Array<{ key: string; concurrency: number; strikes: number }>;
  /** The watched keys' limit sampled every few seconds over the run (a key without a row counts at start). */
  watched: LimitSample[];
}

const medianOf = (xs: number[]) => {
  if (!xs.length) return 0;
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
};

/**
 * The adaptive limits: `watch`ed keys (the shared app's, one per region) read every `everyMs` from the
 * bench's own connection, and every key's at the end.
 */
export function sampleLimits(
  url: string,
  watch: readonly string[],
  start: number,
  everyMs = 5_000,
): { stop(): Promise<LimitFigures> } {
  const series = new Map<string, number[]>(watch.map((k) => [k, []]));
  const backingOff = new Map<string, number>(watch.map((k) => [k, 0]));
  // Its own connection (a pg client runs one query at a time; the bench's own is busy with its checks).
  const client = new pg.Client({ connectionString: url, application_name: BENCH_APP });
  const connected = client.connect();
  const read = async () => {
    const { rows } = await client.query<{
      client_key: string;
      concurrency: number | null;
      strikes: number;
      backing_off: boolean;
    }>(
      `select client_key, concurrency, strikes, until > now() as backing_off
       from amazon_ads_client_backoff where client_key = any($1)`,
      [watch],
    );
    const of = new Map(rows.map((r) => [r.client_key, r]));
    return watch.map((key) => ({
      key,
      concurrency: of.get(key)?.concurrency ?? start,
      strikes: of.get(key)?.strikes ?? 0,
      backingOff: of.get(key)?.backing_off ?? false,
    }));
  };
  let running = true;
  let timer: NodeJS.Timeout | undefined;
  let wake: (() => void) | undefined;
  const loop = (async () => {
    await connected;
    while (running && watch.length) {
      for (const r of await read()) {
        series.get(r.key)!.push(r.concurrency);
        if (r.backingOff) backingOff.set(r.key, backingOff.get(r.key)! + 1);
      }
      await new Promise<void>((resolve) => {
        wake = resolve;
        timer = setTimeout(resolve, everyMs);
      });
    }
  })();
  return {
    async stop() {
      running = false;
      clearTimeout(timer);
      wake?.();
      try {
        await loop;
        const watchedFinal = (watch.length ? await read() : []).map(({ key, concurrency, strikes }) => ({
          key,
          concurrency,
          strikes,
        }));
        const all = await client.query<{ concurrency: number | null }>(
          `select concurrency from amazon_ads_client_backoff`,
        );
        const values = all.rows.map((r) => r.concurrency ?? start);
        return {
          start,
          rows: values.length,
          final: {
            min: values.length ? Math.min(...values) : start,
            median: values.length ? medianOf(values) : start,
            max: values.length ? Math.max(...values) : start,
          },
          watchedFinal,
          watched: [...series].map(([key, xs]) => ({
            key,
            min: xs.length ? Math.min(...xs) : start,
            median: medianOf(xs),
            max: xs.length ? Math.max(...xs) : start,
            samples: xs.length,
            backingOff: xs.length ? backingOff.get(key)! / xs.length : 0,
          })),
        };
      } finally {
        await client.end();
      }
    },
  };
}

export interface FirstPollFigures {
  /** Daily reports with a first claim (poll). */
  reports: number;
  /** From the report's row (its create) to its first claim, ms. */
  medianMs: number;
  p95Ms: number;
  maxMs: number;
  /**
   * Reports whose first poll was due more than 1 s after their create, as inserted (a paced first poll:
   * it needs 3 known generation times of the profile, so none on a fresh database).
   */
  paced: number;
  /** Amazon's generation times the loads recorded (generatedAt − createdAt), ms: median, p95. */
  generationMedianMs: number;
  generationP95Ms: number;
}

/** How soon each report was first polled after its create, from the bench's log of claims. */
export async function firstPolls(db: ScaleDb): Promise<FirstPollFigures> {
  const [row] = await db.query<Record<string, string | null>>(`
    with firsts as (
      select r.id, extract(epoch from min(e.at) - r.created_at) * 1000 as ms
      from amazon_ads_pending_reports r join bench_unit_events e
        on e.tbl = 'amazon_ads_pending_reports' and e.unit_id = r.id and e.event = 'claim'
      where r.kind = 'daily' group by r.id, r.created_at)
    select count(*) as reports,
           percentile_cont(0.5) within group (order by ms) as median,
           percentile_cont(0.95) within group (order by ms) as p95, max(ms) as max,
           (select percentile_cont(0.5) within group (order by generation_ms) from amazon_ads_day_loads) as gen_median,
           (select percentile_cont(0.95) within group (order by generation_ms) from amazon_ads_day_loads) as gen_p95
    from firsts`);
  const [paced] = await db.query<{ n: string }>(
    `select count(*) as n from bench_report_inserts where first_poll_in_ms > 1000`,
  );
  return {
    reports: Number(row?.reports ?? 0),
    medianMs: Number(row?.median ?? 0),
    p95Ms: Number(row?.p95 ?? 0),
    maxMs: Number(row?.max ?? 0),
    paced: Number(paced?.n ?? 0),
    generationMedianMs: Number(row?.gen_median ?? 0),
    generationP95Ms: Number(row?.gen_p95 ?? 0),
  };
}

/** Transactions committed on the bench's database (the claims, the units' statements, the sampler's reads). */
export async function committedTransactions(db: ScaleDb): Promise<number> {
  const [row] = await db.query<{ n: string }>(
    `select xact_commit as n from pg_stat_database where datname = current_database()`,
  );
  return Number(row?.n ?? 0);
}
