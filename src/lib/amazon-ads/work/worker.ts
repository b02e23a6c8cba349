import crypto from "node:crypto";
import { getDb } from "../../db";
import { logError } from "../../log";
import { rollUp } from "../../sync-logs";
import { AdsClient, newCallMeter } from "../api/client";
import { postgresSharedTokens } from "../api/shared-tokens";
import { requireAdsSettings } from "../sync/credentials";
import { describeError } from "../reporting/describe-error";
import { LeaseLostError } from "../queue/pending-reports";
import { newWorkerRun, type WorkerRun } from "../reporting/summary";
import { claimNextUnit, nextDueAt } from "../queue/claim";
import { learnFromUnit } from "../queue/client-limits";
import { OrgLogBook } from "../reporting/org-logs";
import { IdleLanes } from "./idle-lanes";
import { workOn, type UnitContext } from "./units";
import { workerSettings, type WorkerOptions } from "./worker-options";

/** Budget left to start a history unit: its 31 days of rows took up to a minute to load (launch-day bench). */
const historyHeadroomMs = (budgetMs: number) => Math.min(60_000, budgetMs / 4);

/**
 * One worker: claims units in Postgres (queue/claim.ts) until its budget ends or nothing is due soon. An
 * organisation's failure is recorded for it and the worker goes on; a database failure stops the worker
 * (its unit comes back when the lease ends).
 */
export async function runWorker(options: WorkerOptions = {}): Promise<WorkerRun> {
  const config = workerSettings(options);
  const db = await getDb();
  const started = Date.now();
  const deadline = started + config.budgetMs;
  const logs = new OrgLogBook(db, deadline);
  const logins = new Map<number, ReturnType<UnitContext["login"]>>();
  const sharedTokens = postgresSharedTokens(db);
  const clientOptions = { ...config.client, sharedTokens, retry: { ...config.client?.retry, deadline } };
  const login: UnitContext["login"] = (orgId) => {
    let entry = logins.get(orgId);
    if (!entry) {
      entry = requireAdsSettings(orgId, db).then((settings) => ({
        settings,
        client: new AdsClient(settings, clientOptions),
      }));
      entry.catch(() => {}); // awaited by every unit of the organisation; a rejection is theirs to report
      logins.set(orgId, entry);
    }
    return entry;
  };
  const run = newWorkerRun(crypto.randomUUID().slice(0, 8), started, config.budgetMs);

  const failed = (what: string, error: unknown) => {
    logError(`[amazon-ads] worker ${run.workerId}: ${what}`, error);
    Object.assign(run, { stoppedBecause: "error", status: "error", error: describeError(error) });
  };

  const limits = { start: config.clientConcurrency, max: config.clientConcurrencyMax };
  let stopping: WorkerRun["stoppedBecause"] | null = null;
  const idle = new IdleLanes();
  const stop = (why: WorkerRun["stoppedBecause"]) => {
    stopping ??= why;
    idle.wakeAll();
  };
  // Claims in a row that found something due but its key's slots all leased; any lane's claim resets it.
  let misses = 0;

  /** One lane: one unit at a time until the worker stops or runs dry. */
  const lane = async (): Promise<void> => {
    let idleSince: number | null = null;
    while (stopping === null) {
      if (config.signal?.aborted) return void stop("aborted");
      if (Date.now() >= deadline - config.reserveMs) return void stop("budget");
      const history = deadline - Date.now() > config.reserveMs + historyHeadroomMs(config.budgetMs);
      const claim = await claimNextUnit(db, { ...config, history });
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
      const kind = claim.kind === "report" ? "report" : claim.unit.kind;
      // A unit's retries run a minute at most (a throttled unit goes back to the queue), and end before the budget
      // does, leaving time to close the sync_logs rows.
      const unitBudgetMs = config.tryOnce ? Infinity : 60_000;
      const unitDeadline = Math.min(Date.now() + unitBudgetMs, deadline - config.reserveMs / 3);
      const ctx: UnitContext = { db, config, login, unitDeadline, meter: newCallMeter() };
      let held = claim.unit.leaseSlots;
      // Open while it works: a worker killed half way leaves it "running".
      if (claim.kind !== "report") logs.entry(orgId, claim.unit.job);
      try {
        run.units[kind]++;
        const outcome = await workOn(ctx, claim);
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
      config.account?.unitDone?.(kind);
      if (claim.unit.clientKey) await learnFromUnit(db, claim.unit.clientKey, ctx.meter, held, limits);
      idle.wakeAll();
    }
  };

  const account = config.account;
  // The run's row exists before any work, so a run that dies half way is visible as running.
  const accountEntry = account && logs.entry(account.orgId, account.job);
  try {
    if (accountEntry) {
      account?.opened?.(accountEntry);
      await accountEntry.logId;
    }
    // Several units at once (they mostly wait on Amazon); the claims keep each client key within its limit.
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
    failed("stopped", error);
  }
  if (accountEntry && account?.complete && run.stoppedBecause !== "error")
    await account.complete(accountEntry).catch((error) => failed("completing its account failed", error));
  // A run that stopped on its own failure says so in its account, whatever it had done before.
  if (accountEntry && run.error) accountEntry.aborted ??= `Aborted: ${run.error}`;
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
