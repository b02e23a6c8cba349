import { todayIn } from "../plan/dates";
import { checkBackfillRange } from "../plan/targets";
import { syncRun, type SyncRun } from "../reporting/summary";
import { collectReports, organisationsFor, requestBackfill } from "./org-run";

export interface BackfillOptions {
  from: string;
  to: string;
  /** Only these of each organisation's profiles (default: every profile it syncs). */
  profileIds?: readonly string[];
  /** Collect right away instead of leaving the reports to the next collect. */
  collect?: boolean;
  now?: Date;
  onProgress?: (orgId: number, done: number, total: number) => void;
}

/**
 * Requests a past range (reports of at most 31 days) for one or every organisation: the daily run's phase-1
 * units with the range as their plan. The range is checked in UTC, then in each profile's time zone.
 */
export async function backfill(orgId: number | null, options: BackfillOptions): Promise<SyncRun> {
  const { from, to } = options;
  checkBackfillRange(from, to, todayIn("UTC", options.now));
  const plan = { from, to, ...(options.profileIds?.length ? { profileIds: [...options.profileIds] } : {}) };
  const orgs = await organisationsFor(orgId);
  const summaries = [];
  for (const org of orgs) {
    const onProgress = (done: number, total: number) => options.onProgress?.(org, done, total);
    summaries.push(await requestBackfill(org, plan, { now: options.now, onProgress }));
  }
  if (options.collect) for (const org of orgs) summaries.push(await collectReports(org));
  return syncRun("backfill", summaries);
}
