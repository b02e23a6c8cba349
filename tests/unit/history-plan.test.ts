import { describe, expect, it } from "vitest";
import { parseRetentionStart } from "@/lib/amazon-ads/api/report-request";
import { addDays, daysBetween, LOOKBACK_DAYS, MAX_RANGE_DAYS } from "@/lib/amazon-ads/plan/dates";
import { historyTargets } from "@/lib/amazon-ads/plan/targets";

const TODAY = "2026-12-04";
const ages = (t: { startDate: string; endDate: string }) =>
  `${daysBetween(t.startDate, TODAY)}..${daysBetween(t.endDate, TODAY)}`;

describe("a new profile's history plan", () => {
  it("covers every day of the window the lookbacks leave out, in ranges of at most 31 days, newest first", () => {
    for (const days of [95, 60, 31, 30, 10, 2]) {
      const targets = historyTargets({ days }, TODAY);
      const covered = new Set<number>();
      for (const t of targets) {
        expect(t.kind).toBe("history");
        expect(daysBetween(t.startDate, t.endDate) + 1).toBeLessThanOrEqual(MAX_RANGE_DAYS);
        expect(t.lookbackDays).toBe(daysBetween(t.endDate, TODAY));
        for (let d = t.startDate; d <= t.endDate; d = addDays(d, 1)) covered.add(daysBetween(d, TODAY));
      }
      const wanted = Array.from({ length: days }, (_, i) => i + 1).filter(
        (age) => !(LOOKBACK_DAYS as readonly number[]).includes(age),
      );
      for (const age of wanted) expect(covered.has(age), `${days} days: age ${age}`).toBe(true);
      // Nothing newer than day 2 (yesterday is the day-1 lookback's), nothing older than the window.
      expect(Math.min(...covered)).toBe(2);
      expect(Math.max(...covered)).toBe(Math.max(...wanted));
      // No range starts or ends on a lookback day, and no day is asked for twice.
      for (const t of targets) {
        expect(wanted).toContain(daysBetween(t.startDate, TODAY));
        expect(wanted).toContain(daysBetween(t.endDate, TODAY));
      }
      expect(covered.size).toBe(targets.reduce((n, t) => n + daysBetween(t.startDate, t.endDate) + 1, 0));
    }
  });

  it("95 days are four reports: days 2–32, 33–63, 64–94 and 95; none when off or only yesterday", () => {
    expect(historyTargets({ days: 95 }, TODAY).map(ages)).toEqual(["32..2", "63..33", "94..64", "95..95"]);
    expect(historyTargets({ days: 30 }, TODAY).map(ages)).toEqual(["29..2"]);
    expect(historyTargets({ days: 1 }, TODAY)).toEqual([]);
    expect(historyTargets({ days: 0 }, TODAY)).toEqual([]);
  });
});

describe("Amazon's retention refusal", () => {
  it("names the date Amazon's retention starts at", () => {
    expect(
      parseRetentionStart(
        "startDate (2026-08-31) must be equal to or after report type data retention start date (2026-09-02)",
      ),
    ).toBe("2026-09-02");
    expect(parseRetentionStart("configuration columns includes invalid values: (foo)")).toBeNull();
  });
});
