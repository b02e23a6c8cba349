import { z } from "zod";
import type { PendingReport, ReportKind, RequestUnit } from "../../db/schema";
import { AppError, InvalidInputError } from "../../errors";
import {
  addDays,
  daysBetween,
  isIsoDate,
  LOOKBACK_DAYS,
  lookbackDates,
  MAX_RANGE_DAYS,
  RETENTION_DAYS,
  splitRange,
} from "./dates";

/** One report phase 1 asks Amazon for: its dates, why, and the failed request it retries. */
export interface ReportTarget {
  startDate: string;
  endDate: string;
  kind: ReportKind;
  lookbackDays: number;
  /** The failed request this one asks again for (its dates), and which retry this is. */
  retryOf?: PendingReport;
}

export function dailyTargets(today: string): ReportTarget[] {
  return lookbackDates(today).map(({ lookbackDays, date }) => {
    return { startDate: date, endDate: date, kind: "daily", lookbackDays };
  });
}

/** A backfill as its phase-1 units store it: the range, and the profiles when not all of them. */
const backfillPlanSchema = z.object({
  from: z.string(),
  to: z.string(),
  profileIds: z.array(z.string()).optional(),
});
export type BackfillPlan = z.infer<typeof backfillPlanSchema>;

/** The plan's part of the one-unit-per-day key: the same backfill asked twice a day is one set of units. */
export function planKeyOf(plan: BackfillPlan): string {
  const profiles = plan.profileIds?.length ? `:${[...plan.profileIds].sort().join(",")}` : "";
  return `${plan.from}..${plan.to}${profiles}`;
}

/** A backfill's reports of at most 31 days, checked against the profile's `today`. */
export function backfillTargets(plan: BackfillPlan, today: string): ReportTarget[] {
  checkBackfillRange(plan.from, plan.to, today);
  return splitRange(plan.from, plan.to).map(({ start, end }) => {
    return { startDate: start, endDate: end, kind: "backfill", lookbackDays: daysBetween(end, today) };
  });
}

/** A backfill range within Amazon's limits on `today`: real dates, from ≤ to, inside retention, before today. */
export function checkBackfillRange(from: string, to: string, today: string): void {
  if (!isIsoDate(from) || !isIsoDate(to))
    throw new InvalidInputError("from and to must be real dates written YYYY-MM-DD");
  if (daysBetween(from, to) < 0) throw new InvalidInputError(`from ${from} is after to ${to}`);
  const oldest = addDays(today, -RETENTION_DAYS);
  if (daysBetween(oldest, from) < 0)
    throw new InvalidInputError(
      `from ${from} is outside Amazon's ${RETENTION_DAYS}-day retention for spCampaigns: the oldest date Amazon still has is ${oldest}`,
    );
  if (daysBetween(to, today) < 1)
    throw new InvalidInputError(
      `to ${to} is outside Amazon's reporting window: the newest complete day is yesterday (${addDays(today, -1)})`,
    );
}

/** A history as its unit stores it: how many days back from the profile's today it reaches. */
const historyPlanSchema = z.object({ days: z.number().int().min(0).max(RETENTION_DAYS) });
export type HistoryPlan = z.infer<typeof historyPlanSchema>;

/**
 * A new profile's history: the last `days` that today's lookbacks leave out, in reports of at most 31 days,
 * newest first, each starting and ending off a lookback day. 95 days: 4 reports (2–32, 33–63, 64–94, 95).
 */
export function historyTargets(plan: HistoryPlan, today: string): ReportTarget[] {
  const lookbacks = new Set<number>(LOOKBACK_DAYS);
  const ages = Array.from({ length: Math.max(0, plan.days) }, (_, i) => i + 1).filter((age) => !lookbacks.has(age));
  const targets: ReportTarget[] = [];
  for (let i = 0; i < ages.length;) {
    const newest = ages[i]!;
    let oldest = newest;
    while (i < ages.length && ages[i]! - newest < MAX_RANGE_DAYS) oldest = ages[i++]!;
    const [startDate, endDate] = [addDays(today, -oldest), addDays(today, -newest)];
    targets.push({ startDate, endDate, kind: "history", lookbackDays: newest });
  }
  return targets;
}

/** A phase-1 unit whose stored JSON (plan, profile) does not parse: it fails for its organisation, not every worker. */
export class UnreadableUnitError extends AppError {}

/** A backfill unit's range, validated as read back; null for the daily request and a history. */
export function backfillPlanOf(unit: RequestUnit): BackfillPlan | null {
  if (unit.job !== "backfill") return null;
  const plan = backfillPlanSchema.safeParse(unit.plan);
  if (!plan.success) throw new UnreadableUnitError(`The backfill range of unit ${unit.id} is not valid`);
  return plan.data;
}

/** What a profile unit asks for on its profile's `today`: undefined for the daily lookbacks (and due retries). */
export function targetsOf(unit: RequestUnit): ((today: string) => ReportTarget[]) | undefined {
  if (unit.job === "history") {
    const plan = historyPlanSchema.safeParse(unit.plan);
    if (!plan.success) throw new UnreadableUnitError(`The history plan of unit ${unit.id} is not valid`);
    return (today) => historyTargets(plan.data, today);
  }
  const plan = backfillPlanOf(unit);
  return plan ? (today) => backfillTargets(plan, today) : undefined;
}
