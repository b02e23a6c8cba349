import type { Db } from "../../db";
import { logWarn } from "../../log";
import { finishSyncLog, rollUp, startSyncLog } from "../../sync-logs";
import {
  collectMessage,
  emptySummary,
  overallStatus,
  requestMessage,
  profileResults,
  type PhaseSummary,
  type ProfileResult,
  type ReportOutcome,
} from "./summary";

type Job = PhaseSummary["job"];

/** What one unit did for its organisation; the worker folds each into its log book, which every account prints from. */
export interface UnitOutcome {
  orgId: number;
  job: Job;
  reports?: ReportOutcome[];
  profiles?: ProfileResult[];
  /** Request: what discovery said (profiles it could not sync). */
  discovery?: ProfileResult[];
  /** Request: how many profiles discovery queued a unit for. */
  queuedProfiles?: number;
  /** Request: profiles seen for the first time whose history the discovery queued. */
  historyQueued?: number;
  warnings?: string[];
  amazonCalls?: number;
  durationMs?: number;
  /** The organisation's run cannot go on (its credentials, its login, a unit that failed outright). */
  aborted?: string;
}

/** An organisation's account in the making (the request fields as in UnitOutcome). */
export interface LogEntry {
  summary: PhaseSummary;
  logId: Promise<number>;
  discovery: ProfileResult[];
  queuedProfiles: number | null;
  historyQueued: number;
  /** Request: units of the run still queued when it stopped (a per-organisation run's account). */
  leftInQueue: number;
  /** Collect: finished requests the run's clean-up removed. */
  removed: number;
  /** Collect: set when there was nothing to poll at all. */
  nothingPending: boolean;
  aborted: string | null;
}

/**
 * One sync_logs row per organisation and phase per worker, opened when it first does something for the
 * organisation and finished when it stops; a killed worker's rows stay `running` until closed as interrupted.
 */
export class OrgLogBook {
  private readonly entries = new Map<string, LogEntry>();

  constructor(
    private readonly db: Db,
    private readonly expectedEndAt: number,
  ) {}

  entry(orgId: number, job: Job): LogEntry {
    const key = `${orgId}:${job}`;
    let entry = this.entries.get(key);
    if (!entry) {
      const expectedMs = Math.max(0, this.expectedEndAt - Date.now());
      const logId = startSyncLog(orgId, "amazon_ads", job, this.db, expectedMs);
      logId.catch(() => {}); // awaited (and reported) in finish(); until then not an unhandled rejection
      const none = { discovery: [], queuedProfiles: null, historyQueued: 0, leftInQueue: 0, removed: 0 };
      entry = { summary: emptySummary(orgId, job), logId, ...none, nothingPending: false, aborted: null };
      this.entries.set(key, entry);
    }
    return entry;
  }

  /** Folds one unit's outcome into its organisation's entry (opening the entry's sync_logs row). */
  record(outcome: UnitOutcome): void {
    const entry = this.entry(outcome.orgId, outcome.job);
    const s = entry.summary;
    s.reports.push(...(outcome.reports ?? []));
    s.profiles.push(...(outcome.profiles ?? []));
    s.warnings.push(...(outcome.warnings ?? []));
    s.amazonCalls += outcome.amazonCalls ?? 0;
    s.durationMs += outcome.durationMs ?? 0;
    entry.discovery.push(...(outcome.discovery ?? []));
    entry.historyQueued += outcome.historyQueued ?? 0;
    if (outcome.queuedProfiles !== undefined) entry.queuedProfiles = outcome.queuedProfiles;
    if (outcome.aborted !== undefined) entry.aborted = outcome.aborted;
  }

  /** Closes every row this worker opened; returns the organisations' summaries. */
  async finish(): Promise<PhaseSummary[]> {
    const summaries: PhaseSummary[] = [];
    for (const entry of this.entries.values()) {
      const s = entry.summary;
      s.warnings = [...new Set(s.warnings)];
      if (s.job !== "collect") {
        const verb = s.job === "backfill" ? "Backfill" : s.job === "history" ? "History requested" : "Requested";
        // Discovery's problems are the profiles that could not be synced.
        s.message = requestMessage(verb, s.reports, s.profiles.length, entry.discovery.length);
        s.profiles = [...entry.discovery, ...s.profiles];
        s.status = rollUp(s.profiles.map((p) => p.status));
        if (entry.historyQueued) s.message += `; history queued for ${entry.historyQueued} new profile(s)`;
        if (entry.leftInQueue) {
          s.status = rollUp([s.status, "partial"]);
          s.message += `; ${entry.leftInQueue} unit(s) still queued (the workers finish them)`;
        }
      } else {
        s.profiles = profileResults(s.reports);
        s.status = overallStatus(s.reports);
        s.message = entry.nothingPending ? "Nothing pending" : collectMessage(s.reports, entry.removed);
      }
      if (entry.aborted) {
        s.status = "error";
        s.message = `${entry.aborted}${s.reports.length ? `; ${s.message}` : ""}`;
      }
      s.syncLogId = await entry.logId;
      const { orgId, job, status, message, syncLogId, ...details } = s;
      await finishSyncLog(syncLogId, status, message, details, this.db);
      if (status !== "success") logWarn(`[amazon-ads] ${job} org ${orgId}: ${message}`);
      summaries.push(s);
    }
    return summaries;
  }
}
