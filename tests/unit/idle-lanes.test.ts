// A worker's lanes that found nothing to claim wait in IdleLanes: until their pause ends, or until
// another lane finishes a unit or the worker stops (wakeAll), whichever comes first.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { IdleLanes } from "@/lib/amazon-ads/work/idle-lanes";

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

/** Whether the promise has settled, without advancing the fake clock. */
async function settled(p: Promise<void>): Promise<boolean> {
  let done = false;
  void p.then(() => (done = true));
  await Promise.resolve();
  await Promise.resolve();
  return done;
}

describe("IdleLanes", () => {
  it("a pause ends when its time is up", async () => {
    const idle = new IdleLanes();
    const pause = idle.pause(2_000);
    await vi.advanceTimersByTimeAsync(1_999);
    expect(await settled(pause)).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(await settled(pause)).toBe(true);
  });

  it("wakeAll ends every pause now and leaves no timer behind; a later pause waits again", async () => {
    const idle = new IdleLanes();
    const pauses = [idle.pause(2_000), idle.pause(1_000), idle.pause(250)];
    expect(vi.getTimerCount()).toBe(3);
    idle.wakeAll();
    for (const p of pauses) expect(await settled(p)).toBe(true);
    expect(vi.getTimerCount()).toBe(0);

    const later = idle.pause(500);
    expect(await settled(later)).toBe(false);
    await vi.advanceTimersByTimeAsync(500);
    expect(await settled(later)).toBe(true);
  });
});
