import { describe, expect, it } from "vitest";
import { firstPollDelayMs, nextPollDelayMs } from "@/lib/amazon-ads/queue/poll-pacing";

const MINUTE = 60_000;

describe("first poll of a report", () => {
  it("is at once while the profile has fewer than three known generation times", () => {
    expect(firstPollDelayMs([])).toBe(0);
    expect(firstPollDelayMs([5 * MINUTE, 6 * MINUTE])).toBe(0);
  });

  it("waits until three in four of the profile's recent reports were ready", () => {
    expect(firstPollDelayMs([2, 3, 4, 10].map((m) => m * MINUTE))).toBe(4 * MINUTE);
    expect(firstPollDelayMs([9, 1, 5, 3, 7, 2, 8, 4].map((m) => m * MINUTE))).toBe(7 * MINUTE);
  });

  it("does not wait when reports are ready within the ladder's first steps, and never more than 30 min", () => {
    expect(firstPollDelayMs([2_000, 3_000, 9_000])).toBe(0);
    expect(firstPollDelayMs([120, 180, 240].map((m) => m * MINUTE))).toBe(30 * MINUTE);
  });
});

describe("a later poll of a report still running", () => {
  // 20 recent reports, ready after 1 … 20 min: three in four by 15 min, nine in ten by 18, all by 20.
  const history = Array.from({ length: 20 }, (_, i) => (i + 1) * MINUTE);

  it("waits for the next point of the profile's times it has not reached, not the ladder's short step", () => {
    expect(nextPollDelayMs(history, 15 * MINUTE, 5_000)).toBe(3 * MINUTE); // polled at 15: next at 18 (90 %)
    expect(nextPollDelayMs(history, 18 * MINUTE, 10_000)).toBe(2 * MINUTE); // then at 20 (97 % and all)
  });

  it("follows the ladder past the profile's slowest report, or without enough history", () => {
    expect(nextPollDelayMs(history, 20 * MINUTE, 20_000)).toBe(20_000);
    expect(nextPollDelayMs(history, 25 * MINUTE, 60_000)).toBe(60_000);
    expect(nextPollDelayMs([MINUTE, 2 * MINUTE], 0, 5_000)).toBe(5_000);
  });

  it("takes the ladder's step when the next point is nearer than it, and reports ready in seconds are not paced", () => {
    expect(nextPollDelayMs(history, 19.95 * MINUTE, 5_000)).toBe(5_000);
    expect(nextPollDelayMs([2_000, 3_000, 4_000, 9_000], 0, 5_000)).toBe(5_000);
  });
});
