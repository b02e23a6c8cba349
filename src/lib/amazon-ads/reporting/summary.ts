import type { ReportKind } from "../../db/schema";
import type { ReportOutcomeKind } from "../queue/pending-reports";
import { rollUp, type RunStatus } from "../../sync-logs";

export interface ReportOutcome {
  profileId: string;
  reportId?: string;
  startDate: string;
  endDate: string;
  kind: ReportKind;
  lookbackDays: number;
  outcome: ReportOutcomeKind;
  rows?: number;
  durationMs?: number;
  error?: string;
  amazonStatus?: string;
}

/** The jobs a sync_logs row of the Ads sync is for. */
export const JOBS = ["request", "collect", "backfill", "history"] as const;

export interface PhaseSummary {
  orgId: number;
  job: (typeof JOBS)[number];
  status: RunStatus;
  message: string;
  /** Per advertiser profile: its status and what happened (one profile's trouble never stops the others). */
  profiles: ProfileResult[];
  reports: ReportOutcome[];
  warnings: string[];
  amazonCalls: number;
  durationMs: number;
  syncLogId?: number;
}

/** An organisation's account without its per-report details (those are in its sync_logs row). */
export type OrganisationResult = Pick<PhaseSummary, "orgId" | "job" | "status" | "message" | "syncLogId">;

/** What every run answers (cron route, CLI, backfill, scheduler); a dispatch lists organisations without reports. */
export interface SyncRun<Org extends OrganisationResult = PhaseSummary> {
  job: "request" | "collect" | "backfill";
  status: RunStatus;
  /** A dispatch's phase 1: the organisations queued for today (0 new when today's units were already there). */
  queued?: { queued: number; organisations: number };
  /** A dispatch: each worker's run, without its organisations (listed once, for the whole run). */
  workers?: WorkerStats[];
  organisations: Org[];
}

/** One worker's run, as it and a dispatch report it. */
export interface WorkerStats {
  workerId: string;
  status: RunStatus;
  startedAt: string;
  durationMs: number;
  budgetMs: number;
  stoppedBecause: "budget" | "no_work" | "aborted" | "error";
  units: { discover: number; profile: number; report: number };
  /** Units whose lease ran out before this worker finished them (another worker took them over). */
  leaseLost: number;
  amazonCalls: number;
  rows: number;
  error?: string;
}

/** A worker's run with its organisations' accounts: whole in the process, trimmed over HTTP. */
export type WorkerRun<Org extends OrganisationResult = PhaseSummary> = WorkerStats & { organisations: Org[] };

/** A worker's run before it did anything. */
export function newWorkerRun(workerId: string, started: number, budgetMs: number): WorkerRun {
  const startedAt = new Date(started).toISOString();
  const none = { units: { discover: 0, profile: 0, report: 0 }, durationMs: 0, leaseLost: 0, amazonCalls: 0, rows: 0 };
  return { workerId, status: "success", startedAt, budgetMs, stoppedBecause: "no_work", ...none, organisations: [] };
}

/** A run of several organisations' accounts, with the one roll-up of their statuses. */
export function syncRun<Org extends OrganisationResult>(job: SyncRun["job"], organisations: Org[]): SyncRun<Org> {
  return { job, status: rollUp(organisations.map((o) => o.status)), organisations };
}

export interface ProfileResult {
  profileId: string;
  status: RunStatus;
  message: string;
  region?: string;
  timezone?: string | null;
  /** "Today" in the profile's time zone, which its lookback dates count back from. */
  today?: string;
}

/** A phase 1's one line: "Requested 5 report(s) for 1 profile(s): 5 created; 1 profile(s) could not be synced". */
export function requestMessage(
  verb: "Requested" | "Backfill" | "History requested",
  reports: readonly ReportOutcome[],
  profilesRequested: number,
  profilesNotSynced: number,
): string {
  const counts = new Map<string, number>();
  for (const r of reports) counts.set(r.outcome, (counts.get(r.outcome) ?? 0) + 1);
  const tally = [...counts].map(([outcome, n]) => `${n} ${outcome}`).join(", ") || "nothing";
  const problems = profilesNotSynced ? `; ${profilesNotSynced} profile(s) could not be synced` : "";
  return `${verb} ${reports.length} report(s) for ${profilesRequested} profile(s): ${tally}${problems}`;
}

/** A run's summary before anything happened: success until an outcome says otherwise. */
export function emptySummary(orgId: number, job: PhaseSummary["job"]): PhaseSummary {
  const none = { profiles: [], reports: [], warnings: [], amazonCalls: 0, durationMs: 0 };
  return { orgId, job, status: "success", message: "", ...none };
}

/** The per-profile results of a set of report outcomes (for the collect, which works report by report). */
export function profileResults(outcomes: ReportOutcome[]): ProfileResult[] {
  const byProfile = new Map<string, ReportOutcome[]>();
  for (const o of outcomes) byProfile.set(o.profileId, [...(byProfile.get(o.profileId) ?? []), o]);
  return [...byProfile].map(([profileId, reports]) => ({
    profileId,
    status: overallStatus(reports),
    message: reports.map((r) => `${r.startDate}: ${r.outcome}`).join(", "),
  }));
}

export function overallStatus(outcomes: ReportOutcome[]): RunStatus {
  return rollUp(outcomes.map((o) => (o.outcome === "failed" || o.outcome === "timed_out" ? "error" : "success")));
}

/** The one-line account of a collect: what loaded, failed, is still pending, was skipped, was cleaned up. */
export function collectMessage(reports: ReportOutcome[], removed: number): string {
  const count = (...kinds: ReportOutcome["outcome"][]) => reports.filter((r) => kinds.includes(r.outcome)).length;
  const loaded = reports.reduce((n, r) => n + (r.rows ?? 0), 0);
  return (
    `${count("completed")} completed (${loaded} rows), ${count("failed", "timed_out")} failed, ` +
    `${count("still_pending")} still pending, ${count("skipped")} skipped` +
    (removed ? `; ${removed} finished request(s) cleaned up` : "")
  );
}
