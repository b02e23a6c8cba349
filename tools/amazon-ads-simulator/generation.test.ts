import { describe, expect, it } from "vitest";
import { generationTimeMs } from "./generation";
import { createReportOk, downloadBytes, NOW, pollOnce, reportBody, startSim, startSimWithToken } from "./test-prelude";
import type { Simulator, SimulatorOptions } from "./types";

/** A simulator (and a token) whose clock the test moves by hand. */
async function startAtClock(
  options: SimulatorOptions = {},
): Promise<{ sim: Simulator; token: string; advance: (ms: number) => void }> {
  let time = NOW.getTime();
  const { sim, token } = await startSimWithToken({ now: () => new Date(time), ...options });
  return { sim, token, advance: (ms) => void (time += ms) };
}

describe("generationMs: time-based report generation", () => {
  it("PENDING for the first 20 % of the generation time, PROCESSING until it has passed, then COMPLETED", async () => {
    const { sim, token, advance } = await startAtClock({
      scenario: { generationMs: { min: 1000, max: 1000 }, pollsBeforeComplete: 50 },
    });
    const { reportId, status } = await createReportOk(sim, token, reportBody());
    expect(status).toBe("PENDING");
    expect((await pollOnce(sim, token, reportId)).status).toBe("PENDING");
    advance(199);
    expect((await pollOnce(sim, token, reportId)).status).toBe("PENDING");
    advance(1);
    const processing = await pollOnce(sim, token, reportId);
    expect(processing.status).toBe("PROCESSING");
    expect(processing.updatedAt).toBe(new Date(NOW.getTime() + 200).toISOString());
    advance(799);
    expect((await pollOnce(sim, token, reportId)).status).toBe("PROCESSING");
    advance(1);
    const completed = await pollOnce(sim, token, reportId);
    expect(completed.status).toBe("COMPLETED");
    expect(completed.generatedAt).toBe(new Date(NOW.getTime() + 1000).toISOString());
    expect((await downloadBytes(completed.url!)).response.status).toBe(200);
    // Five polls, far fewer than pollsBeforeComplete: time decides, not the poll count.
    expect(sim.reports()[0]).toMatchObject({ status: "COMPLETED", polls: 5 });
  });

  it("a report not polled for its whole generation time completes on its next poll", async () => {
    const { sim, token, advance } = await startAtClock({ scenario: { generationMs: { min: 5000, max: 5000 } } });
    const { reportId } = await createReportOk(sim, token, reportBody());
    advance(60_000);
    expect((await pollOnce(sim, token, reportId)).status).toBe("COMPLETED");
  });

  it("failDates fail and stuckDates stay PENDING once the time has passed; generationMs null brings polls back", async () => {
    const { sim, token, advance } = await startAtClock({
      scenario: { generationMs: { min: 100, max: 100 }, failDates: ["2025-06-10"], stuckDates: ["2025-06-11"] },
    });
    const failing = await createReportOk(sim, token, reportBody());
    const stuck = await createReportOk(sim, token, reportBody({ startDate: "2025-06-11" }));
    advance(10_000);
    const failed = await pollOnce(sim, token, failing.reportId);
    expect(failed.status).toBe("FAILED");
    expect(failed.failureReason).toMatch(/internal error/);
    expect((await pollOnce(sim, token, stuck.reportId)).status).toBe("PENDING");

    sim.setScenario({ generationMs: null, pollsBeforeComplete: 1 });
    const byPolls = await createReportOk(sim, token, reportBody({ startDate: "2025-06-12" }));
    expect((await pollOnce(sim, token, byPolls.reportId)).status).toBe("PROCESSING");
    expect((await pollOnce(sim, token, byPolls.reportId)).status).toBe("COMPLETED");
  });

  it("each report draws its own generation time from [min, max], the same for the same id", async () => {
    const range = { min: 2000, max: 8000 };
    const ids = Array.from({ length: 200 }, (_, index) => `00000000-0000-4000-8000-${String(index).padStart(12, "0")}`);
    const times = ids.map((id) => generationTimeMs(id, range));
    for (const time of times) {
      expect(time).toBeGreaterThanOrEqual(2000);
      expect(time).toBeLessThanOrEqual(8000);
    }
    expect(ids.map((id) => generationTimeMs(id, range))).toEqual(times);
    expect(Math.min(...times)).toBeLessThan(3000);
    expect(Math.max(...times)).toBeGreaterThan(7000);
    expect(generationTimeMs(ids[0]!, { min: 0, max: 0 })).toBe(0);

    // Over HTTP: a report completes exactly at its own drawn time.
    const { sim, token, advance } = await startAtClock({ scenario: { generationMs: range } });
    const { reportId } = await createReportOk(sim, token, reportBody());
    const own = generationTimeMs(reportId, range);
    advance(Math.ceil(own) - 1);
    expect((await pollOnce(sim, token, reportId)).status).toBe("PROCESSING");
    advance(1);
    expect((await pollOnce(sim, token, reportId)).status).toBe("COMPLETED");
  });

  it("is unset by default and refuses a malformed range", async () => {
    const sim = await startSim();
    expect(sim.scenario().generationMs).toBeUndefined();
    expect(() => sim.setScenario({ generationMs: { min: 10, max: 5 } })).toThrow(/generationMs/);
    const admin = await fetch(`${sim.baseUrl}/__admin/scenario`, {
      method: "POST",
      body: JSON.stringify({ generationMs: { min: 1000, max: 2000 } }),
    });
    expect(admin.status).toBe(200);
    expect(sim.scenario().generationMs).toEqual({ min: 1000, max: 2000 });
  });
});
