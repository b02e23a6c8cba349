import { describe, expect, it } from "vitest";
import { firstPollDelayMs } from "@/lib/amazon-ads/queue/poll-pacing";

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
