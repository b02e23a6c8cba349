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
 * Queues DAILY reports for a past range, split into reports of at most 31 days, for one org or every
 * org with credentials, for each of its profiles or the ones named: the same phase-1 units as the
 * daily run, with the range as their plan. The normal collect loads them (or right away with
 * `collect`). The range is checked in UTC first, then in each profile's own time zone (a profile for
 * which it falls outside is reported for that profile).
 */
export async function backfill(orgId: number | null, options: BackfillOptions): Promise<SyncRun> {
  const { from, to } = options;
  checkBackfillRange(from, to, todayIn("UTC", options.now));
  const plan = { from, to, ...(options.profileIds?.length ? { profileIds: [...options.profileIds] } : {}) };
  const orgs = await organisationsFor(orgId);
  const summaries = [];
  for (const org of orgs) {
    summaries.push(
      await requestBackfill(org, plan, {
        now: options.now,
        onProgress: (done, total) => options.onProgress?.(org, done, total),
      }),
    );
  }
  if (options.collect) for (const org of orgs) summaries.push(await collectReports(org));
  return syncRun("backfill", summaries);
}
