// One measured scale run (scale.ts): a fresh database with the organisations saved as the settings page saves
// them, then the app's own `dispatch` (phase 1 once, then collects back to back) with W in-process workers until
// every healthy organisation's reports are loaded; then the figures.
import os from "node:os";
import pg from "pg";
import { dispatch, type WorkerOptions } from "../../src/lib/amazon-ads";
import { createOrganisation } from "../../src/lib/orgs/organisations";
import { saveAmazonAdsSettings } from "../../src/lib/settings";
import { createDb, peakInWindow, procCpuMs, readProc, upperMedian, type ScaleOrg, type Sim } from "./lib";
import type { CallStats } from "./sim-child";

export interface RunOptions {
  /** The operator's app (AMAZON_ADS_CLIENT_ID/SECRET, for this run only): its organisations are saved with client id and secret empty. */
  operatorApp?: { clientId: string; clientSecret: string };
  /** AMAZON_ADS_HISTORY_DAYS: 0 (an ordinary day: every organisation already synced) or a launch day's 95. */
  historyDays?: number;
}
export type ScaleRunFigures = Awaited<ReturnType<typeof runScale>>;

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
/** The bench's own connections (queries, samplers), left out of the connection count. */
const BENCH_APP = "bench-scale";

// Not the app's: a log of lease changes by the database itself (clock_timestamp(): a unit's time runs from the
// statement that leased it to the one that let it go), and each report's first poll as inserted.
const EVENTS_DDL = `
create table bench_unit_events (
  id bigserial primary key, tbl text not null, unit_id int not null, org_id int not null, profile_id text not null,
  lease_id text not null, event text not null, status text not null, at timestamptz not null default clock_timestamp());
create function bench_unit_event() returns trigger language plpgsql as $$ begin
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
create trigger bench_unit_event after update on amazon_ads_request_units for each row execute function bench_unit_event();
create trigger bench_unit_event after update on amazon_ads_pending_reports for each row execute function bench_unit_event();
create table bench_report_inserts (unit_id int primary key, first_poll_in_ms double precision not null);
create function bench_report_insert() returns trigger language plpgsql as $$ begin
  insert into bench_report_inserts values (new.id, extract(epoch from new.next_poll_at - new.created_at) * 1000);
  return new;
end $$;
create trigger bench_report_insert after insert on amazon_ads_pending_reports for each row execute function bench_report_insert();`;

/** Runs `tick`, then again `everyMs` after each, until the returned stop is awaited. */
function every(everyMs: number, tick: () => Promise<unknown>): () => Promise<void> {
  let [running, wake] = [true, () => {}];
  const loop = (async () => {
    while (running) {
      await tick();
      await new Promise<void>((resolve) => setTimeout((wake = resolve), everyMs));
    }
  })();
  return async () => {
    running = false;
    wake();
    await loop;
  };
}

/** The machine's busy and total ticks from /proc/stat (null elsewhere). */
function machineTicks(): { busy: number; total: number } | null {
  const fields = readProc("stat").split("\n")[0]!.trim().split(/\s+/).slice(1).map(Number);
  const total = sum(fields.slice(0, 8));
  return fields.length ? { busy: total - fields[3]! - fields[4]!, total } : null;
}

export async function runScale(
  o: RunOptions & {
    label: string;
    sim: Sim;
    orgs: ScaleOrg[];
    workers: number;
    worker: WorkerOptions;
    maxWallMs: number; // no new dispatch after this long (a run that cannot finish still reports)
    autoAnalyze: boolean;
    clientConcurrency: number; // the adaptive limit's start, for keys that have not learnt one
    log: (line: string) => void;
  },
) {
  await o.sim.call("reset");
  const [poolMax, historyDays, start] = [o.workers + 2, o.historyDays ?? 0, o.clientConcurrency];
  // The app reads its env on each call: the operator's app, the history and the pool are this run's.
  const app = o.operatorApp;
  if (app)
    Object.assign(process.env, { AMAZON_ADS_CLIENT_ID: app.clientId, AMAZON_ADS_CLIENT_SECRET: app.clientSecret });
  else for (const name of ["AMAZON_ADS_CLIENT_ID", "AMAZON_ADS_CLIENT_SECRET"]) delete process.env[name];
  Object.assign(process.env, { AMAZON_ADS_HISTORY_DAYS: String(historyDays), DATABASE_POOL_MAX: String(poolMax) });
  o.log(`${o.label}: creating a database with ${o.orgs.length} organisations (pool ${poolMax})`);
  const bench = await createDb("postgres");
  // Its own connection for each sampler (a pg client runs one query at a time; the bench's own is busy with its checks).
  const connection = () => new pg.Client({ connectionString: bench.env.DATABASE_URL, application_name: BENCH_APP });
  const [main, sampler, limitsClient] = [connection(), connection(), connection()];
  const clients = [main, sampler, limitsClient];
  const query = async <T = Record<string, number | null>>(text: string, values?: unknown[]) =>
    (await main.query(text, values)).rows as T[];
  try {
    for (const client of clients) await client.connect();
    await main.query(EVENTS_DDL);
    const orgIds: number[] = [];
    const settings = { profile_id: "", profiles: "all", region: "EU" } as const;
    for (const org of o.orgs) {
      const id = await createOrganisation(`Scale org ${org.index + 1}`);
      // The operator's app's logins are saved with client id and secret empty, as Connect with Amazon leaves them.
      const [client_id, client_secret] = org.clientId === app?.clientId ? ["", ""] : [org.clientId, org.clientSecret];
      await saveAmazonAdsSettings(id, { client_id, client_secret, refresh_token: org.refreshToken, ...settings });
      orgIds.push(id);
    }
    const healthy = o.orgs.filter((g) => g.fault === null);
    const healthyIds = healthy.map((g) => orgIds[g.index]!);
    const expectedReports = 5 * sum(healthy.map((g) => g.profileIds.length));

    // Samplers: the database's connections every 100 ms (not the bench's own); the operator app's keys every 5 s.
    const connections = { peak: 0, peakActive: 0 };
    const stopConnections = every(100, async () => {
      const { rows } = await sampler.query<{ total: number; active: number }>(
        `select count(*)::int as total, count(*) filter (where state = 'active')::int as active
         from pg_stat_activity where datname = current_database() and application_name <> $1`,
        [BENCH_APP],
      );
      connections.peak = Math.max(connections.peak, rows[0]!.total);
      connections.peakActive = Math.max(connections.peakActive, rows[0]!.active);
    });
    const watch = o.operatorApp ? ["EU", "NA", "FE"].map((r) => `${o.operatorApp!.clientId}@${r}`) : [];
    const readLimits = async () => {
      const { rows } = await limitsClient.query<Limit>(
        `select client_key as key, concurrency, strikes, until > now() as off from amazon_ads_client_backoff where client_key = any($1)`,
        [watch],
      );
      return watch.map((key) => rows.find((r) => r.key === key) ?? { key, concurrency: null, strikes: 0, off: false });
    };
    const series = new Map(watch.map((k) => [k, { values: [] as number[], backingOff: 0 }]));
    const stopLimits = every(5_000, async () => {
      for (const r of watch.length ? await readLimits() : []) {
        series.get(r.key)!.values.push(r.concurrency ?? start);
        if (r.off) series.get(r.key)!.backingOff++;
      }
    });
    // Without autovacuum (this test server) the queue tables get no planner statistics and each claim sorts every
    // due report; a stock server analyzes a grown table within a minute: so ANALYZE every minute, only then.
    let [analyzes, analyzing] = [0, Promise.resolve() as Promise<unknown>];
    const [{ autovacuum }] = (await main.query("show autovacuum")).rows as [{ autovacuum: string }];
    const analyzer =
      o.autoAnalyze && autovacuum !== "on"
        ? setInterval(() => (analyzing = query("analyze").then(() => analyzes++)), 60_000)
        : undefined;
    const transactions = async () =>
      (await query(`select xact_commit::float8 as n from pg_stat_database where datname = current_database()`))[0]!.n!;
    const transactionsBefore = await transactions();
    const t0 = { at: performance.now(), app: process.cpuUsage(), sim: procCpuMs(o.sim.pid), ticks: machineTicks() };

    // The healthy organisations' reports of a kind: (profile, date)s completed, failed, still to come (the history's
    // queued units too), and when the last was loaded.
    const reportsOf = async (kind: "daily" | "history") =>
      (
        await query<{ completed: number; failed: number; pending: number; lastAt: number | null }>(
          `select count(distinct (org_id, profile_id, report_date, report_end_date)) filter (where status = 'completed')::int as completed,
                count(*) filter (where status = 'failed')::int as failed,
                (count(*) filter (where status = 'pending') + (select count(*) from amazon_ads_request_units u
                  where $2 = 'history' and u.job = 'history' and u.status = 'pending' and u.org_id = any($1)))::int as pending,
                (select extract(epoch from max(e.at)) * 1000 from bench_unit_events e
                 join amazon_ads_pending_reports r on r.id = e.unit_id
                 where e.tbl = 'amazon_ads_pending_reports' and e.event = 'release' and e.status = 'completed'
                   and r.kind = $2 and e.org_id = any($1))::float8 as "lastAt"
         from amazon_ads_pending_reports where org_id = any($1) and kind = $2`,
          [healthyIds, kind],
        )
      )[0]!;

    // workers: how many the dispatch started (at most W: it sizes them to the client keys' limits).
    type Dispatch = { job: string; wallMs: number; workers: number; units: number; stopped: Record<string, number> };
    const dispatches: Dispatch[] = [];
    const runs: Array<Awaited<ReturnType<typeof dispatch>>> = [];
    const started = Date.now();
    for (let job: "request" | "collect" = "request"; ; job = "collect") {
      const t = Date.now();
      const run = await dispatch(job, { workers: o.workers, via: "in-process", worker: o.worker });
      runs.push(run);
      const stopped: Record<string, number> = {};
      for (const w of run.workers) stopped[w.stoppedBecause] = (stopped[w.stoppedBecause] ?? 0) + 1;
      const units = sum(run.workers.map((w) => w.units.discover + w.units.profile + w.units.report));
      dispatches.push({ job: run.job, wallMs: Date.now() - t, workers: run.workers.length, units, stopped });
      const done = await reportsOf("daily");
      const took = `${job} dispatch ${dispatches.length} (${run.workers.length} workers) took ${((Date.now() - t) / 1000).toFixed(0)} s, ${units} units`;
      o.log(`${o.label}: ${took}; ${done.completed}/${expectedReports} healthy reports loaded`);
      const history = historyDays ? await reportsOf("history") : null;
      if (history) o.log(`${o.label}: history ${history.completed} completed, ${history.pending} pending or queued`);
      if (done.completed >= expectedReports && (!history || history.pending === 0)) break;
      if (Date.now() - started > o.maxWallMs) {
        o.log(`${o.label}: stopping after ${o.maxWallMs / 1000} s without all the data`);
        break;
      }
      const [left] = await query(
        `select ((select count(*) from amazon_ads_request_units where status = 'pending')
              + (select count(*) from amazon_ads_pending_reports where status = 'pending'))::int as n`,
      );
      if (left?.n === 0) {
        o.log(`${o.label}: nothing left to do, yet not every healthy report is loaded`);
        break;
      }
    }
    const runMs = Date.now() - started;
    const [used, simCpu, ticks] = [process.cpuUsage(t0.app), procCpuMs(o.sim.pid), machineTicks()];
    const cpu = {
      ...{
        wallMs: performance.now() - t0.at,
        appMs: (used.user + used.system) / 1000,
        cores: os.availableParallelism(),
      },
      simMs: simCpu !== null && t0.sim !== null ? simCpu - t0.sim : null,
      /** Busy share of all the machine's cores (1 = every core busy all the time). */
      machineBusy: t0.ticks && ticks ? (ticks.busy - t0.ticks.busy) / (ticks.total - t0.ticks.total) : null,
    };
    clearInterval(analyzer);
    await analyzing;
    await stopLimits();
    // The adaptive limits (a key without a row is at its start): the watched keys at the end and as sampled, and
    // every key with a row at the end.
    const spread = (xs: number[]) =>
      xs.length ? { min: Math.min(...xs), median: upperMedian(xs), max: Math.max(...xs) } : null;
    const backoff = await limitsClient.query<{ c: number | null }>(
      `select concurrency as c from amazon_ads_client_backoff`,
    );
    const [limitValues, final] = [backoff.rows.map((r) => r.c ?? start), watch.length ? await readLimits() : []];
    const limits = {
      ...{ start, rows: limitValues.length, final: spread(limitValues) ?? { min: start, median: start, max: start } },
      watchedFinal: final.map(({ key, concurrency, strikes }) => ({ key, strikes, concurrency: concurrency ?? start })),
      watched: [...series].map(([key, { values, backingOff }]) => ({
        ...{ key, ...(spread(values) ?? { min: start, median: 0, max: start }) },
        backingOff: values.length ? backingOff / values.length : 0,
      })),
    };
    const transactionCount = (await transactions()) - transactionsBefore;
    await stopConnections();
    const workers = runs.flatMap((r) => r.workers);
    const [done, history] = [await reportsOf("daily"), await reportsOf("history")];
    const durations = workers.map((w) => w.durationMs).sort((a, b) => b - a);
    const storm = o.orgs.filter((g) => g.fault === "storm");
    const [stormClientIds, stormOrgIds] = [storm.map((g) => g.clientId), storm.map((g) => orgIds[g.index]!)];
    const [loadedTwice] = await query(
      `select count(*)::int as n from (select 1 from amazon_ads_pending_reports where status = 'completed'
       group by org_id, profile_id, report_date, report_end_date having count(*) > 1) twice`,
    );
    return {
      ...{ label: o.label, organisations: o.orgs.length, healthyOrgs: healthy.length, workers: o.workers, poolMax },
      /** Every organisation on the operator's app (one client id). */
      sharedClient: o.operatorApp !== undefined,
      profiles: sum(o.orgs.map((g) => g.profileIds.length)),
      healthyProfiles: sum(healthy.map((g) => g.profileIds.length)),
      campaigns: sum(healthy.map((g) => sum(g.campaigns))),
      ...{ budgetMs: workers[0]?.budgetMs ?? 0, dispatches, invocations: workers.length },
      ...{ longestMs: durations[0]!, slowestMs: durations.slice(0, 3) },
      overBudget: workers.filter((w) => w.durationMs > w.budgetMs).length,
      leaseLost: sum(workers.map((w) => w.leaseLost)),
      /** Σ invocation durations: the function time. */
      workerMs: sum(durations),
      /** From the first dispatch to the last healthy daily report loaded (null: not all were). */
      dataInMs: done.completed >= expectedReports && done.lastAt !== null ? done.lastAt - started : null,
      /** A launch day's: to the last history report loaded (null: no history, or not all in). */
      historyInMs: historyDays && history.pending === 0 && history.lastAt !== null ? history.lastAt - started : null,
      historyReports: { completed: history.completed, failed: history.failed, pending: history.pending },
      ...{ runMs, expectedReports, completedReports: done.completed, failedReports: done.failed },
      rows: await checkRows(o.sim, query, o.orgs, orgIds),
      /** (organisation, profile, date) loaded more than once. */
      loadedTwice: loadedTwice!.n!,
      calls: await o.sim.call<CallStats>("calls", stormClientIds),
      connections,
      ...(await unitCosts(query, stormOrgIds, runMs)),
      /** ANALYZEs the bench ran in place of autovacuum (0: the server's autovacuum is on, or --no-autoanalyze). */
      ...{ analyzes, cpu, limits },
      firstPolls: await firstPolls(query),
      /** Transactions committed on the database per second over the run (claims that found nothing included). */
      transactionsPerSecond: (transactionCount * 1000) / runMs,
    };
  } finally {
    for (const client of clients) await client.end().catch(() => {});
    await bench.dispose();
    for (const name of ["AMAZON_ADS_HISTORY_DAYS", "AMAZON_ADS_CLIENT_ID", "AMAZON_ADS_CLIENT_SECRET"])
      delete process.env[name];
  }
}

type Limit = { key: string; concurrency: number | null; strikes: number; off: boolean };
type Query = <T = Record<string, number | null>>(text: string, values?: unknown[]) => Promise<T[]>;

/** Rows per organisation against Σ expectedRowCount over every (profile, date) it loaded (a history range's days too). */
async function checkRows(sim: Sim, query: Query, orgs: ScaleOrg[], orgIds: number[]) {
  const loaded = await query<{ org_id: number; profile_id: string; date: string }>(
    `select distinct org_id, profile_id, date::text from amazon_ads_day_loads`,
  );
  const pairs = loaded.map((r) => [r.profile_id, r.date]);
  const truth = await sim.call<number[]>("truth", pairs);
  const truthOf = new Map<number, number>();
  loaded.forEach((r, i) => truthOf.set(r.org_id, (truthOf.get(r.org_id) ?? 0) + truth[i]!));
  const stored = await query<{ org_id: number; n: number }>(
    `select org_id, count(*)::int as n from amazon_sp_ads group by org_id`,
  );
  const dbOf = new Map(stored.map((r) => [r.org_id, r.n]));
  // `differing`: a few organisations whose rows differ, [index, rows, truth]; `unhealthyRows`: of revoked/storm ones.
  const check = { db: 0, truth: 0, orgsChecked: 0, orgsEqual: 0, differing: [] as number[][], unhealthyRows: 0 };
  for (const org of orgs) {
    const [rows, expected] = [dbOf.get(orgIds[org.index]!) ?? 0, truthOf.get(orgIds[org.index]!) ?? 0];
    if (org.fault !== null) {
      check.unhealthyRows += rows;
      continue;
    }
    check.orgsChecked++;
    check.db += rows;
    check.truth += expected;
    if (rows === expected) check.orgsEqual++;
    else if (check.differing.length < 5) check.differing.push([org.index, rows, expected]);
  }
  return check;
}

/**
 * Leased time per kind of unit from the trigger's log, claim → release of one lease (a report released pending
 * was a poll, completed a load; a storm's discoveries are a kind of their own), and the claims per second.
 */
async function unitCosts(query: Query, stormOrgIds: number[], runMs: number) {
  const costs = await query<{
    kind: string;
    units: number;
    totalMs: number;
    meanMs: number;
    p95Ms: number;
    maxMs: number;
  }>(
    `with units as (
      select case when c.tbl = 'amazon_ads_request_units' then (case when c.profile_id <> '' then 'profile'
                  when c.org_id = any($1) then 'discover, 429 storm' else 'discover' end)
                  when r.status = 'completed' then 'load' when r.status = 'pending' then 'poll' else 'failed report' end as kind,
             extract(epoch from r.at - c.at) * 1000 as ms
      from bench_unit_events c join bench_unit_events r on r.lease_id = c.lease_id and r.event = 'release'
      where c.event = 'claim')
    select kind, count(*)::int as units, sum(ms)::float8 as "totalMs", avg(ms)::float8 as "meanMs",
           percentile_cont(0.95) within group (order by ms) as "p95Ms", max(ms)::float8 as "maxMs"
    from units group by kind`,
    [stormOrgIds],
  );
  const order = ["discover", "discover, 429 storm", "profile", "poll", "load", "failed report"];
  const [open] = await query(`
    select count(*)::int as n from bench_unit_events c where c.event = 'claim'
      and not exists (select 1 from bench_unit_events r where r.lease_id = c.lease_id and r.event = 'release')`);
  const claims = await query<{ ms: number }>(
    `select (extract(epoch from at) * 1000)::float8 as ms from bench_unit_events where event = 'claim' order by at`,
  );
  return {
    costs: costs.sort((a, b) => order.indexOf(a.kind) - order.indexOf(b.kind)),
    unreleased: open!.n!,
    claimsPerSecond: { mean: (claims.length * 1000) / runMs, peak: peakInWindow(claims.map((r) => r.ms)) },
  };
}

/** How soon each daily report was first polled after its create, and how many had a paced first poll (due > 1 s later). */
async function firstPolls(query: Query) {
  const [row] = await query<Record<"reports" | "medianMs" | "p95Ms" | "maxMs" | "paced", number>>(`
    with firsts as (
      select r.id, extract(epoch from min(e.at) - r.created_at) * 1000 as ms
      from amazon_ads_pending_reports r join bench_unit_events e
        on e.tbl = 'amazon_ads_pending_reports' and e.unit_id = r.id and e.event = 'claim'
      where r.kind = 'daily' group by r.id, r.created_at)
    select count(*)::int as reports, coalesce(percentile_cont(0.5) within group (order by ms), 0) as "medianMs",
           coalesce(percentile_cont(0.95) within group (order by ms), 0) as "p95Ms", coalesce(max(ms)::float8, 0) as "maxMs",
           (select count(*)::int from bench_report_inserts where first_poll_in_ms > 1000) as paced
    from firsts`);
  return row!;
}
