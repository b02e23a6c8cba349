import { InvalidInputError } from "../../errors";
import { collectReports } from "./collect-phase";
import { addDays, daysBetween, isIsoDate, RETENTION_DAYS, splitRange, todayIn } from "../plan/dates";
import { requestReports } from "./request-phase";
import { toJobRun, organisationsFor, type JobRun } from "./run";

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
 * Checks a backfill range against Amazon's limits on the day `today` (in the profile's zone):
 * real dates, from ≤ to, inside the 95-day retention, and before today (the newest complete day is
 * yesterday). Throws InvalidInputError saying which limit and the nearest allowed date.
 */
export function checkBackfillRange(from: string, to: string, today: string): void {
  if (!isIsoDate(from) || !isIsoDate(to))
    throw new InvalidInputError("from and to must be real dates written YYYY-MM-DD");
  if (daysBetween(from, to) < 0) throw new InvalidInputError(`from ${from} is after to ${to}`);
  const oldest = addDays(today, -RETENTION_DAYS);
  if (daysBetween(oldest, from) < 0) {
    throw new InvalidInputError(
      `from ${from} is outside Amazon's ${RETENTION_DAYS}-day retention for spCampaigns: the oldest date Amazon still has is ${oldest}`,
    );
  }
  if (daysBetween(to, today) < 1) {
    throw new InvalidInputError(
      `to ${to} is outside Amazon's reporting window: the newest complete day is yesterday (${addDays(today, -1)})`,
    );
  }
}

/**
 * Queues DAILY reports for a past range, split into reports of at most 31 days, for one org or every
 * org with credentials, for each of its profiles or the ones named; the normal collect loads them (or
 * right away with `collect`). The range is checked in UTC first, then in each profile's own time zone
 * (a profile for which it falls outside is reported for that profile).
 */
export async function backfill(orgId: number | null, options: BackfillOptions): Promise<JobRun> {
  const { from, to } = options;
  checkBackfillRange(from, to, todayIn("UTC", options.now));
  const orgs = await organisationsFor(orgId);
  const summaries = [];
  for (const org of orgs) {
    summaries.push(
      await requestReports(org, {
        job: "backfill",
        now: options.now,
        profileIds: options.profileIds,
        targets: (today) => {
          checkBackfillRange(from, to, today);
          return splitRange(from, to).map(({ start, end }) => ({
            startDate: start,
            endDate: end,
            kind: "backfill" as const,
            lookbackDays: daysBetween(end, today),
          }));
        },
        onProgress: (done, total) => options.onProgress?.(org, done, total),
      }),
    );
  }
  if (options.collect) for (const org of orgs) summaries.push(await collectReports(org));
  return toJobRun("backfill", summaries);
}
