import crypto from "node:crypto";
import { getDb } from "../../db";
import { logError } from "../../log";
import type { AmazonAdsSettings } from "../../settings/schema";
import { rollUp } from "../../sync-logs";
import { AdsClient, newCallMeter } from "../api/client";
import { postgresSharedTokens } from "../api/shared-tokens";
import { requireAdsSettings } from "../sync/credentials";
import { describeError } from "../reporting/describe-error";
import { LeaseLostError } from "../queue/pending-reports";
import type { WorkerRun } from "../reporting/summary";
import { claimNextUnit, nextDueAt, type Claim } from "../queue/claim";
import { learnFromUnit } from "../queue/client-limits";
import { OrgLogBook, type UnitOutcome } from "../reporting/org-logs";
import { IdleLanes } from "./idle-lanes";
import { discoverUnit, profileUnit, reportUnit, type UnitContext } from "./units";
import { workerSettings, type WorkerOptions } from "./worker-options";

type Login = { settings: AmazonAdsSettings; client: AdsClient };

/**
 * How much of a worker's budget must be left to start a history unit: a history report holds up to 31
 * days of rows (a 5,000-campaign profile: 155,000), whose load took up to a minute on a loaded machine
 * in the launch-day bench. A minute, or a quarter of a short budget.
 */
export const historyHeadroomMs = (budgetMs: number) => Math.min(60_000, budgetMs / 4);

/**
 * One worker: claims units in Postgres (queue/claim.ts) and works through them until its budget
 * ends or nothing is due soon, then returns. Any number of workers, in one process or in many
 * invocations and machines, share the queue; nothing survives the invocation but the database.
 * One organisation's failure is recorded for that organisation and the worker goes on; a database
 * failure stops the worker (its unit comes back when the lease ends).
 */
export async function runWorker(options: WorkerOptions = {}): Promise<WorkerRun> {
  const config = workerSettings(options);
  const db = await getDb();
  const started = Date.now();
  const deadline = started + config.budgetMs;
  const logs = new OrgLogBook(db, deadline);
  const logins = new Map<number, Promise<Login>>();
  // A login's access token is shared with every other invocation for its hour (api/shared-tokens.ts).
  const sharedTokens = postgresSharedTokens(db);
  const login = (orgId: number): Promise<Login> => {
    let entry = logins.get(orgId);
    if (!entry) {
      entry = requireAdsSettings(orgId, db).then((settings) => ({
        settings,
        client: new AdsClient(settings, {
          ...config.client,
          sharedTokens,
          retry: { ...config.client?.retry, deadline },
        }),
      }));
      entry.catch(() => {}); // awaited by every unit of the organisation; a rejection is theirs to report
      logins.set(orgId, entry);
    }
    return entry;
  };
  const run: WorkerRun = {
    workerId: crypto.randomUUID().slice(0, 8),
    status: "success",
    startedAt: new Date(started).toISOString(),
    durationMs: 0,
    budgetMs: config.budgetMs,
    stoppedBecause: "no_work",
    units: { discover: 0, profile: 0, report: 0 },
    leaseLost: 0,
    amazonCalls: 0,
    rows: 0,
    organisations: [],
  };

  const limits = { start: config.clientConcurrency, max: config.clientConcurrencyMax };
  let stopping: WorkerRun["stoppedBecause"] | null = null;
  const idle = new IdleLanes();
  const stop = (why: WorkerRun["stoppedBecause"]) => {
    stopping ??= why;
    idle.wakeAll();
  };
  // Claims in a row that found nothing though something was due (its key's slots all leased), over the
  // worker's lanes: any lane's claim resets it, so work that becomes claimable is taken at once.
  let misses = 0;

  /** One of the worker's lanes: claims and works on one unit at a time until the worker stops or runs dry. */
  const lane = async (): Promise<void> => {
    let idleSince: number | null = null;
    while (stopping === null) {
      if (config.signal?.aborted) return void stop("aborted");
      if (Date.now() >= deadline - config.reserveMs) return void stop("budget");
      // A history report is a month of rows: none is started that could not finish inside the budget.
      const history = deadline - Date.now() > config.reserveMs + historyHeadroomMs(config.budgetMs);
      const claim = await claimNextUnit(db, {
        leaseMs: config.leaseMs,
        clientConcurrency: limits.start,
        clientConcurrencyMax: limits.max,
        profileSlots: config.createsAtOnce,
        scope: config.scope,
        history,
      });
      if (!claim) {
        const due = await nextDueAt(db, config.scope, { history });
        const wait = due === null ? Infinity : Math.max(0, due.getTime() - Date.now());
        idleSince ??= Date.now();
        // Nothing due soon, or only units other workers hold for too long: the next cron's workers go on.
        if (wait > config.maxIdleMs || Date.now() - idleSince > config.maxIdleMs) return;
        if (Date.now() + wait >= deadline - config.reserveMs) return void stop("budget");
        // "Due now" yet not claimable (its client key's slots are all leased): ask less often each time.
        const pause = wait > 0 ? Math.min(wait, 2_000) : 250 * 2 ** Math.min(misses++, 2);
        await idle.pause(Math.max(pause, 250));
        continue;
      }
      idleSince = null;
      misses = 0;
      const orgId = claim.unit.orgId;
      // A unit's retries end before the budget does, leaving time to close the sync_logs rows.
      const unitDeadline = Math.min(Date.now() + config.unitBudgetMs, deadline - config.reserveMs / 3);
      const ctx: UnitContext = { db, config, login, unitDeadline, meter: newCallMeter() };
      let held = claim.unit.leaseSlots;
      // A phase-1 unit's sync_logs row is open while it works (a worker killed half way leaves it running).
      if (claim.kind !== "report") logs.entry(orgId, claim.unit.job);
      try {
        const outcome = await workOn(ctx, claim, run);
        if (outcome) logs.record(outcome);
      } catch (error) {
        held = 0; // its lease is still in force, so its slots count as leased already
        if (error instanceof LeaseLostError) run.leaseLost++;
        else {
          // Not Amazon (a bug, or the database): recorded for this organisation; the lease brings the unit back.
          logError(`[amazon-ads] worker ${run.workerId}: unit of org ${orgId} failed`, error);
          const job = claim.kind === "report" ? "collect" : claim.unit.job;
          logs.record({ orgId, job, aborted: `Aborted: ${describeError(error)}` });
        }
      }
      config.onUnit?.(claim.kind === "report" ? "report" : claim.unit.kind, claim.unit.id);
      if (claim.unit.clientKey) await learnFromUnit(db, claim.unit.clientKey, ctx.meter, held, limits);
      idle.wakeAll();
    }
  };

  try {
    if (config.account) {
      // The run's row exists before any work, so a run that dies half way is visible as running.
      const entry = logs.entry(config.account.orgId, config.account.job);
      config.account.opened?.(entry);
      await entry.logId;
    }
    // Several units at once (they mostly wait on Amazon); the claims keep each client key within its
    // limit, and the pool bounds the database connections they share.
    const lanes = Array.from({ length: config.unitsAtOnce }, () =>
      lane().catch((error: unknown) => {
        stop("error");
        throw error;
      }),
    );
    const failures = (await Promise.allSettled(lanes)).filter((l) => l.status === "rejected");
    if (failures.length) throw failures[0]!.reason;
    run.stoppedBecause = stopping ?? "no_work";
  } catch (error) {
    logError(`[amazon-ads] worker ${run.workerId} stopped`, error);
    run.stoppedBecause = "error";
    run.status = "error";
    run.error = describeError(error);
  }
  const account = config.account;
  if (account?.complete && run.stoppedBecause !== "error") {
    await account.complete(logs.entry(account.orgId, account.job)).catch((error) => {
      logError(`[amazon-ads] worker ${run.workerId}: completing its account failed`, error);
      run.stoppedBecause = "error";
      run.status = "error";
      run.error = describeError(error);
    });
  }
  // A run that stopped on its own failure says so in its account, whatever it had done before.
  if (account && run.error) logs.entry(account.orgId, account.job).aborted ??= `Aborted: ${run.error}`;
  run.organisations = await logs.finish().catch((error) => {
    logError(`[amazon-ads] worker ${run.workerId}: finishing its sync_logs rows failed`, error);
    return [];
  });
  run.amazonCalls = run.organisations.reduce((n, s) => n + s.amazonCalls, 0);
  run.rows = run.organisations.reduce((n, s) => n + s.reports.reduce((m, r) => m + (r.rows ?? 0), 0), 0);
  if (run.status !== "error" && run.organisations.length) run.status = rollUp(run.organisations.map((s) => s.status));
  run.durationMs = Date.now() - started;
  return run;
}

async function workOn(ctx: UnitContext, claim: Claim, run: WorkerRun): Promise<UnitOutcome | null> {
  if (claim.kind === "report") {
    run.units.report++;
    return reportUnit(ctx, claim.unit, claim.leaseId);
  }
  if (claim.unit.kind === "profile") {
    run.units.profile++;
    return profileUnit(ctx, claim.unit, claim.leaseId);
  }
  run.units.discover++;
  return discoverUnit(ctx, claim.unit, claim.leaseId);
}
