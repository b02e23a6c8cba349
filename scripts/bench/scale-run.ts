// One measured scale run: a fresh database with `orgs`, then cron-like dispatches through the app's own
// `dispatch` (phase 1 once, then collects back to back) with W in-process workers until every healthy
// organisation's reports are loaded, then the figures: time to data, invocations against their budget,
// units processed twice, rows against the simulator's truth, calls, connections, per-unit costs.
import { dispatch, type DispatchRun, type WorkerOptions } from "../../src/lib/amazon-ads";
import {
  claimRate,
  committedTransactions,
  createScaleDb,
  emulateAutoAnalyze,
  firstPolls,
  sampleConnections,
  sampleLimits,
  unitCosts,
  type ConnectionPeaks,
  type FirstPollFigures,
  type LimitFigures,
  type ScaleDb,
  type UnitCost,
} from "./scale-db";
import { cpuMeter, type CpuFigures } from "./scale-cpu";
import type { CallStats, ScaleOrg } from "./scale-protocol";
import type { ScaleSim } from "./scale-sim";

export interface ScaleRunOptions {
  label: string;
  sim: ScaleSim;
  orgs: ScaleOrg[];
  workers: number;
  worker: WorkerOptions;
  /** No new dispatch after this long (a run that cannot finish still reports). */
  maxWallMs: number;
  /** ANALYZE every minute as autovacuum would, when the server's autovacuum is off. */
  autoAnalyze: boolean;
  /**
   * The operator's app (AMAZON_ADS_CLIENT_ID/SECRET, set for this run only): organisations of this client
   * id are saved with client id and secret empty. Unset: the env has no operator's app.
   */
  operatorApp?: { clientId: string; clientSecret: string };
  /** The adaptive limit's start (AMAZON_ADS_CLIENT_CONCURRENCY), for keys that have not learnt one. */
  clientConcurrency: number;
  /**
   * AMAZON_ADS_HISTORY_DAYS for this run: 0 (an ordinary day: every organisation already synced) or a
   * launch day's 95 (every organisation new: each profile's history too). Default 0.
   */
  historyDays?: number;
  log: (line: string) => void;
}

export interface DispatchFigures {
  job: "request" | "collect";
  wallMs: number;
  units: number;
  stopped: Record<string, number>;
}

export interface RowCheck {
  db: number;
  truth: number;
  orgsChecked: number;
  orgsEqual: number;
  /** A few organisations whose rows differ from the truth: [org index, rows in the db, truth]. */
  differing: Array<[number, number, number]>;
  /** Rows of organisations that should have none (revoked, storm). */
  unhealthyRows: number;
}

export interface ScaleRunFigures {
  label: string;
  /** Every organisation on the operator's app (one client id). */
  sharedClient: boolean;
  /** Logins (organisations) with a working refresh token. */
  healthyLogins: number;
  organisations: number;
  healthyOrgs: number;
  profiles: number;
  healthyProfiles: number;
  campaigns: number;
  workers: number;
  poolMax: number;
  budgetMs: number;
  dispatches: DispatchFigures[];
  invocations: number;
  longestMs: number;
  /** The three longest invocations, ms. */
  slowestMs: number[];
  overBudget: number;
  leaseLost: number;
  /** Σ invocation durations: the function time. */
  workerMs: number;
  /** From the first dispatch to the last healthy report loaded (null: not all were). */
  dataInMs: number | null;
  /** A launch day: from the first dispatch to the last history report loaded (null: no history, or not all in). */
  historyInMs: number | null;
  historyDays: number;
  /** History reports of healthy organisations: completed, failed, still pending at the end. */
  historyReports: { completed: number; failed: number; pending: number };
  runMs: number;
  expectedReports: number;
  completedReports: number;
  failedReports: number;
  rows: RowCheck;
  /** (organisation, profile, date) loaded more than once. */
  loadedTwice: number;
  calls: CallStats;
  connections: ConnectionPeaks;
  costs: UnitCost[];
  unreleased: number;
  claimsPerSecond: { mean: number; peak: number };
  /** ANALYZEs the bench ran in place of autovacuum (0: the server's own autovacuum is on, or --no-autoanalyze). */
  analyzes: number;
  cpu: CpuFigures;
  /** The adaptive limits (amazon_ads_client_backoff): the operator's app's keys sampled, every key at the end. */
  limits: LimitFigures;
  firstPolls: FirstPollFigures;
  /** Transactions committed on the database per second over the run (claims that found nothing included). */
  transactionsPerSecond: number;
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

const REGIONS = ["EU", "NA", "FE"] as const;

export async function runScale(o: ScaleRunOptions): Promise<ScaleRunFigures> {
  await o.sim.reset();
  const poolMax = o.workers + 2;
  // The app reads its env on each call: the operator's app exists for this run only.
  if (o.operatorApp) {
    process.env.AMAZON_ADS_CLIENT_ID = o.operatorApp.clientId;
    process.env.AMAZON_ADS_CLIENT_SECRET = o.operatorApp.clientSecret;
  } else {
    delete process.env.AMAZON_ADS_CLIENT_ID;
    delete process.env.AMAZON_ADS_CLIENT_SECRET;
  }
  const historyDays = o.historyDays ?? 0;
  process.env.AMAZON_ADS_HISTORY_DAYS = String(historyDays);
  o.log(`${o.label}: creating a database with ${o.orgs.length} organisations (pool ${poolMax})`);
  const db = await createScaleDb(o.orgs, poolMax, o.operatorApp?.clientId ?? null);
  try {
    const healthy = o.orgs.filter((g) => g.fault === null);
    const healthyIds = healthy.map((g) => db.orgIds[g.index]!);
    const expectedReports = 5 * sum(healthy.map((g) => g.profileIds.length));
    const sampler = sampleConnections(db.url);
    const cpu = cpuMeter(o.sim.pid);
    const analyzer = emulateAutoAnalyze(db, o.autoAnalyze);
    const watch = o.operatorApp ? REGIONS.map((r) => `${o.operatorApp!.clientId}@${r}`) : [];
    const limits = sampleLimits(db.url, watch, o.clientConcurrency);
    const transactionsBefore = await committedTransactions(db);
    const dispatches: DispatchFigures[] = [];
    const runs: DispatchRun[] = [];
    const started = Date.now();
    const options = { workers: o.workers, via: "in-process" as const, worker: o.worker };
    for (let job: "request" | "collect" = "request"; ; job = "collect") {
      const t = Date.now();
      const run = await dispatch(job, options);
      runs.push(run);
      dispatches.push(figuresOf(run, Date.now() - t));
      const done = await reportsOf(db, healthyIds, "daily");
      o.log(
        `${o.label}: ${job} dispatch ${dispatches.length} took ${((Date.now() - t) / 1000).toFixed(0)} s, ` +
          `${dispatches.at(-1)!.units} units; ${done.completed}/${expectedReports} healthy reports loaded`,
      );
      const history = historyDays ? await reportsOf(db, healthyIds, "history") : null;
      if (history) o.log(`${o.label}: history ${history.completed} completed, ${history.pending} pending or queued`);
      if (done.completed >= expectedReports && (!history || history.pending === 0)) break;
      if (Date.now() - started > o.maxWallMs) {
        o.log(`${o.label}: stopping after ${o.maxWallMs / 1000} s without all the data`);
        break;
      }
      if ((await pendingUnits(db)) === 0) {
        o.log(`${o.label}: nothing left to do, yet not every healthy report is loaded`);
        break;
      }
    }
    const runMs = Date.now() - started;
    const cpuFigures = cpu.stop();
    const analyzes = await analyzer.stop();
    const limitFigures = await limits.stop();
    const transactions = (await committedTransactions(db)) - transactionsBefore;
    const connections = await sampler.stop();
    const workers = runs.flatMap((r) => r.workers);
    const done = await reportsOf(db, healthyIds, "daily");
    const history = await reportsOf(db, healthyIds, "history");
    const stormOrgIds = o.orgs.filter((g) => g.fault === "storm").map((g) => db.orgIds[g.index]!);
    const { costs, unreleased } = await unitCosts(db, stormOrgIds);
    const stormIds = o.orgs.filter((g) => g.fault === "storm").map((g) => g.clientId);
    return {
      label: o.label,
      sharedClient: o.operatorApp !== undefined,
      healthyLogins: o.orgs.filter((g) => g.fault !== "revoked").length,
      organisations: o.orgs.length,
      healthyOrgs: healthy.length,
      profiles: sum(o.orgs.map((g) => g.profileIds.length)),
      healthyProfiles: sum(healthy.map((g) => g.profileIds.length)),
      campaigns: sum(healthy.map((g) => sum(g.campaigns))),
      workers: o.workers,
      poolMax,
      budgetMs: workers[0]?.budgetMs ?? 0,
      dispatches,
      invocations: workers.length,
      longestMs: Math.max(...workers.map((w) => w.durationMs)),
      slowestMs: workers
        .map((w) => w.durationMs)
        .sort((a, b) => b - a)
        .slice(0, 3),
      overBudget: workers.filter((w) => w.durationMs > w.budgetMs).length,
      leaseLost: sum(workers.map((w) => w.leaseLost)),
      workerMs: sum(workers.map((w) => w.durationMs)),
      dataInMs: done.completed >= expectedReports && done.lastAt !== null ? done.lastAt - started : null,
      historyInMs: historyDays && history.pending === 0 && history.lastAt !== null ? history.lastAt - started : null,
      historyDays,
      historyReports: { completed: history.completed, failed: history.failed, pending: history.pending },
      runMs,
      expectedReports,
      completedReports: done.completed,
      failedReports: done.failed,
      rows: await checkRows(db, o),
      loadedTwice: await loadedTwice(db),
      calls: await o.sim.calls(stormIds),
      connections,
      costs,
      unreleased,
      claimsPerSecond: await claimRate(db, runMs),
      analyzes,
      cpu: cpuFigures,
      limits: limitFigures,
      firstPolls: await firstPolls(db),
      transactionsPerSecond: (transactions * 1000) / runMs,
    };
  } finally {
    await db.dispose();
    delete process.env.AMAZON_ADS_HISTORY_DAYS;
    delete process.env.AMAZON_ADS_CLIENT_ID;
    delete process.env.AMAZON_ADS_CLIENT_SECRET;
  }
}

function figuresOf(run: DispatchRun, wallMs: number): DispatchFigures {
  const stopped: Record<string, number> = {};
  for (const w of run.workers) stopped[w.stoppedBecause] = (stopped[w.stoppedBecause] ?? 0) + 1;
  const units = sum(run.workers.map((w) => w.units.discover + w.units.profile + w.units.report));
  return { job: run.job, wallMs, units, stopped };
}

/**
 * The reports of one kind of `orgIds`: the (profile, date)s completed (a date asked twice counts once),
 * failed, still to come (pending reports, and for the history its queued units), and when the last one
 * was loaded.
 */
async function reportsOf(db: ScaleDb, orgIds: number[], kind: "daily" | "history") {
  const [row] = await db.query<{ completed: string; failed: string; pending: string; last_at: string | null }>(
    `select count(distinct (org_id, profile_id, report_date, report_end_date)) filter (where status = 'completed') as completed,
            count(*) filter (where status = 'failed') as failed,
            count(*) filter (where status = 'pending')
              + (select count(*) from amazon_ads_request_units u
                 where $2 = 'history' and u.job = 'history' and u.status = 'pending' and u.org_id = any($1)) as pending,
            (select extract(epoch from max(e.at)) * 1000 from bench_unit_events e
             join amazon_ads_pending_reports r on r.id = e.unit_id
             where e.tbl = 'amazon_ads_pending_reports' and e.event = 'release' and e.status = 'completed'
               and r.kind = $2 and e.org_id = any($1)) as last_at
     from amazon_ads_pending_reports where org_id = any($1) and kind = $2`,
    [orgIds, kind],
  );
  return {
    completed: Number(row?.completed ?? 0),
    failed: Number(row?.failed ?? 0),
    pending: Number(row?.pending ?? 0),
    lastAt: row?.last_at === null || row?.last_at === undefined ? null : Number(row.last_at),
  };
}

async function pendingUnits(db: ScaleDb): Promise<number> {
  const [row] = await db.query<{ n: string }>(
    `select (select count(*) from amazon_ads_request_units where status = 'pending')
          + (select count(*) from amazon_ads_pending_reports where status = 'pending') as n`,
  );
  return Number(row?.n ?? 0);
}

async function loadedTwice(db: ScaleDb): Promise<number> {
  const [row] = await db.query<{ n: string }>(
    `select count(*) as n from (select 1 from amazon_ads_pending_reports where status = 'completed'
     group by org_id, profile_id, report_date, report_end_date having count(*) > 1) twice`,
  );
  return Number(row?.n ?? 0);
}

/** Rows per organisation against Σ expectedRowCount over the (profile, date) pairs it loaded. */
async function checkRows(db: ScaleDb, o: ScaleRunOptions): Promise<RowCheck> {
  const indexOf = new Map(db.orgIds.map((id, index) => [id, index]));
  // Every (organisation, profile, date) a report loaded: the days of a history range as well.
  const loaded = await db.query<{ org_id: number; profile_id: string; report_date: string }>(
    `select distinct org_id, profile_id, date::text as report_date from amazon_ads_day_loads`,
  );
  const truth = await o.sim.truth(loaded.map((r) => [r.profile_id, r.report_date]));
  const truthOf = new Map<number, number>();
  loaded.forEach((r, i) => truthOf.set(r.org_id, (truthOf.get(r.org_id) ?? 0) + truth[i]!));
  const stored = await db.query<{ org_id: number; n: string }>(
    `select org_id, count(*) as n from amazon_sp_ads group by org_id`,
  );
  const dbOf = new Map(stored.map((r) => [r.org_id, Number(r.n)]));
  const check: RowCheck = { db: 0, truth: 0, orgsChecked: 0, orgsEqual: 0, differing: [], unhealthyRows: 0 };
  for (const org of o.orgs) {
    const id = db.orgIds[org.index]!;
    const rows = dbOf.get(id) ?? 0;
    if (org.fault !== null) {
      check.unhealthyRows += rows;
      continue;
    }
    const expected = truthOf.get(id) ?? 0;
    check.orgsChecked++;
    check.db += rows;
    check.truth += expected;
    if (rows === expected) check.orgsEqual++;
    else if (check.differing.length < 5) check.differing.push([indexOf.get(id)!, rows, expected]);
  }
  return check;
}
