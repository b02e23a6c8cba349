/**
 * The daily run's lookbacks. Amazon removes invalid traffic from a day for up to 3 days and restates
 * conversions 1, 7 and 28 days after the event (Amazon Ads docs, reporting v3 FAQ), so a day is asked
 * for again at these ages; the day-30 load is its final one.
 */
export const LOOKBACK_DAYS = [1, 3, 7, 14, 30] as const;

/** Amazon keeps spCampaigns data for 95 days and allows at most 31 days per report. */
export const RETENTION_DAYS = 95;
export const MAX_RANGE_DAYS = 31;

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

export function isIsoDate(value: string): boolean {
  if (!ISO_DATE.test(value)) return false;
  const d = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === value;
}

/** The calendar date at `now` in `timeZone` (Amazon reports dates in the profile's time zone). */
export function todayIn(timeZone: string, now: Date = new Date()): string {
  try {
    return new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" }).format(
      now,
    );
  } catch {
    return now.toISOString().slice(0, 10); // unknown zone: UTC
  }
}

export function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

export function lookbackDates(today: string): Array<{ lookbackDays: number; date: string }> {
  return LOOKBACK_DAYS.map((lookbackDays) => ({ lookbackDays, date: addDays(today, -lookbackDays) }));
}

/** Splits [from, to] into consecutive ranges of at most MAX_RANGE_DAYS days (ISO dates compare as text). */
export function splitRange(from: string, to: string): Array<{ start: string; end: string }> {
  const ranges: Array<{ start: string; end: string }> = [];
  for (let start = from; start <= to; start = addDays(start, MAX_RANGE_DAYS)) {
    const last = addDays(start, MAX_RANGE_DAYS - 1);
    ranges.push({ start, end: last < to ? last : to });
  }
  return ranges;
}
