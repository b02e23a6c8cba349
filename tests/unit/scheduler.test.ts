import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { readSchedule, startLocalScheduler, type ScheduledJob } from "@/lib/server/scheduler";

function vercelJsonWith(crons: Array<{ path: string; schedule: string }>): string {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "vercel-")), "vercel.json");
  fs.writeFileSync(file, JSON.stringify({ crons }));
  return file;
}

describe("local scheduler", () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(new Date("2026-11-25T08:59:50Z"));
    delete process.env.LOCAL_SCHEDULER;
    delete process.env.VERCEL;
  });
  afterEach(() => vi.useRealTimers());

  it("reads the repository's vercel.json: phase 1 at 09:00 UTC for every org, collects from 09:30 through the day", () => {
    const schedule = readSchedule();
    expect(schedule[0]).toEqual({ name: "request", job: "request", orgId: null, schedule: "0 9 * * *" });
    const collects = schedule.slice(1);
    expect(collects.length).toBeGreaterThanOrEqual(6);
    expect(collects.every((j) => j.job === "collect" && j.orgId === null)).toBe(true);
    expect(collects[0]!.schedule).toBe("30 9 * * *");
    // Hobby allows each cron once a day: every entry names one fixed minute and hour.
    for (const j of schedule) expect(j.schedule).toMatch(/^\d+ \d+ \* \* \*$/);
  });

  it("runs each job at its vercel.json time, and follows the file when it changes", async () => {
    const runs: string[] = [];
    const scheduler = startLocalScheduler(
      async (job) => void runs.push(`${job.job}@${new Date().toISOString().slice(11, 16)}`),
    )!;
    expect(scheduler.jobs.slice(0, 3).map((j) => j.nextRun()?.toISOString())).toEqual([
      "2026-11-25T09:00:00.000Z",
      "2026-11-25T09:30:00.000Z",
      "2026-11-25T10:00:00.000Z",
    ]);
    await vi.advanceTimersByTimeAsync(61 * 60_000);
    expect(runs).toEqual(["request@09:00", "collect@09:30", "collect@10:00"]);
    scheduler.stop();

    const edited = vercelJsonWith([{ path: "/api/cron/amazon-ads-collect?orgId=2", schedule: "*/10 * * * *" }]);
    const moved: ScheduledJob[] = [];
    const other = startLocalScheduler(async (job) => void moved.push(job), { vercelJsonPath: edited })!;
    await vi.advanceTimersByTimeAsync(21 * 60_000);
    other.stop();
    expect(moved.length).toBe(2);
    expect(moved[0]).toMatchObject({ job: "collect", orgId: 2 });
  });

  it("skips a tick while the previous run of that job is still going", async () => {
    const file = vercelJsonWith([{ path: "/api/cron/amazon-ads-collect", schedule: "* * * * *" }]);
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    let started = 0;
    let finish: () => void = () => {};
    const scheduler = startLocalScheduler(
      () => {
        started++;
        return new Promise<void>((resolve) => (finish = resolve));
      },
      { vercelJsonPath: file },
    )!;
    await vi.advanceTimersByTimeAsync(3 * 60_000 + 5_000);
    expect(started).toBe(1);
    expect(warn.mock.calls.flat().join(" ")).toMatch(/still going; this tick is skipped/);
    finish();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(started).toBe(2);
    scheduler.stop();
    warn.mockRestore();
  });

  it("is off with LOCAL_SCHEDULER=off and on Vercel", () => {
    process.env.LOCAL_SCHEDULER = "off";
    expect(startLocalScheduler(async () => {})).toBeNull();
    delete process.env.LOCAL_SCHEDULER;
    process.env.VERCEL = "1";
    expect(startLocalScheduler(async () => {})).toBeNull();
  });

  it("ignores crons that are not ours, with a warning", () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const file = vercelJsonWith([{ path: "/api/other", schedule: "0 1 * * *" }]);
    expect(readSchedule(file)).toEqual([]);
    expect(warn).toHaveBeenCalled();
    warn.mockRestore();
  });
});
