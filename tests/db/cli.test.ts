import fs from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { addDays } from "@/lib/amazon-ads/plan/dates";
import { closeDb, getDb } from "@/lib/db";
import { lockPathFor } from "@/lib/db/pglite-lock";
import { amazonAdsPendingReports, amazonAdsRequestUnits } from "@/lib/db/schema";
import { SIM_DEFAULTS } from "../../tools/amazon-ads-simulator/index";
import { adsInProcess } from "../support/cli";
import { runScript } from "../support/spawn";
import { reportCreates, setupSyncTest, today } from "../support/sync-fixture";

// The CLI runs as its own process, against a database a second process can open. Its tests run one
// after another on the same data: nothing is reset between them.
const shared = setupSyncTest({ shared: true, reset: false });
const { kind, sim } = shared;
let childEnv: Record<string, string | undefined>;

const ads = (...args: string[]) => runScript("scripts/ads.ts", args, childEnv);

beforeAll(() => {
  childEnv = shared.childEnv();
  // Reports complete on the first poll, so the CLI's collect needs no wait between polls.
  sim().setScenario({ pollsBeforeComplete: 0 });
});

// Every run of the CLI is a process of its own: seconds each on a busy machine. The commands are the
// same code on either backend, so they run against PostgreSQL; on a PGlite folder the demo runs them as
// processes (demo.test.ts), and this file keeps what is the folder's own: its lock and SIGTERM.
describe.skipIf(kind === "pglite")("npm run ads", { timeout: 180_000 }, () => {
  it("--help prints usage and exits 0; bad arguments exit 2 with a clear message", async () => {
    const help = await ads("--help");
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/backfill --from D --to D/);
    // The process exits with what runCli answers; the cases below run it in this process.
    const unknown = await ads("frobnicate");
    expect([unknown.code, unknown.stderr]).toEqual([2, expect.stringMatching(/Unknown command "frobnicate"/)]);
    for (const [args, message] of [
      [["frobnicate"], /Unknown command "frobnicate"/],
      [["request", "--org", "abc"], /--org must be a positive integer/],
      [["request", "--org", "999"], /[Oo]rganisation 999/],
      [["request", "--bogus"], /Unknown option/],
      [["backfill", "--from", "2026-02-30", "--to", "2026-03-01"], /real dates/],
      [["backfill", "--from", addDays(today(), -3), "--to", addDays(today(), -5)], /is after/],
      [
        ["backfill", "--from", addDays(today(), -120), "--to", addDays(today(), -100)],
        /outside Amazon's 95-day retention/,
      ],
      [["backfill", "--from", addDays(today(), -3), "--to", today()], /newest complete day is yesterday/],
      // Impossible dates are bad arguments, said as such (no SQL, not "outside the 95 days").
      [["verify", "--from", "2026-11-31", "--to", "2026-12-01"], /--from must be a real date written YYYY-MM-DD/],
      [["verify", "--from", "2026-02-30"], /--from must be a real date written YYYY-MM-DD/],
      [["org", "member", "--org", "1", "--email", "a@example.com", "--remove", "--role", "admin"], /--remove needs/],
    ] as Array<[string[], RegExp]>) {
      const ran = await adsInProcess(...args);
      expect(ran.code, args.join(" ")).toBe(2);
      expect(ran.stderr).toMatch(message);
      expect(ran.stderr, args.join(" ")).not.toMatch(/select |insert |Failed query/i);
    }
    expect(sim().requests.filter((r) => r.path.endsWith("/reporting/reports"))).toHaveLength(0);
  });

  it("status --org N of an organisation that does not exist exits 2 like the other commands, printing no tables", async () => {
    const ran = await adsInProcess("status", "--org", "999");
    expect(ran.code, ran.stderr).toBe(2);
    expect(ran.stderr).toMatch(/Organisation 999 does not exist/);
    expect(ran.stdout).toBe("");
    const json = await adsInProcess("status", "--org", "999", "--json");
    expect(json.code).toBe(2);
    expect(json.stdout).toBe("");
    // An existing one still answers (before anything ran: empty tables, exit 0).
    expect((await adsInProcess("status", "--org", "1")).code).toBe(0);
  });

  it("request, collect and status: the same phases as the crons, with a table to check against Amazon", async () => {
    const request = await ads("request", "--org", "1");
    expect(request.code, request.stderr).toBe(0);
    expect(request.stdout.match(/daily d-\d+\s+created/g)).toHaveLength(5);
    const collect = await ads("collect", "--json");
    expect(collect.code, collect.stderr).toBe(0);
    const run = JSON.parse(collect.stdout);
    expect(run.organisations[0].reports.filter((r: { outcome: string }) => r.outcome === "completed")).toHaveLength(5);
    const status = await ads("status");
    expect(status.code).toBe(0);
    const d1 = addDays(today(), -1);
    const expected = sim().expectedRows(SIM_DEFAULTS.profileId, d1, d1, ["campaignId", "impressions"]);
    const impressions = expected.reduce((n, r) => n + Number(r.impressions), 0);
    expect(status.stdout).toMatch(new RegExp(`${d1}\\s+${expected.length}\\s+${impressions}\\s`));
    expect(status.stdout).toMatch(/Last runs \(sync_logs\)[\s\S]*collect\s+success/);
  });

  it("backfill splits a range into ≤31-day reports, queues them, and the normal collect loads them", async () => {
    const from = addDays(today(), -70);
    const to = addDays(today(), -20);
    const backfill = await ads("backfill", "--from", from, "--to", to);
    expect(backfill.code, backfill.stderr).toBe(0);
    expect(backfill.stderr).toMatch(/1\/1 profile\(s\) requested/);
    const bodies = reportCreates(sim())
      .map((r) => JSON.parse(r.body))
      .filter((b) => b.startDate !== b.endDate);
    expect(bodies.map((b) => [b.startDate, b.endDate])).toEqual([
      [from, addDays(from, 30)],
      [addDays(from, 31), to],
    ]);
    const collect = await ads("collect");
    expect(collect.code, collect.stderr).toBe(0);
    expect(collect.stdout).toMatch(/2 completed/);
    await getDb();
    const rows = await (await getDb()).select().from(amazonAdsPendingReports);
    expect(rows.filter((r) => r.kind === "backfill").every((r) => r.status === "completed")).toBe(true);
    await closeDb();
  });

  it("exits 1 when the run fails (revoked refresh token)", async () => {
    sim().setScenario({ revokedRefreshTokens: [SIM_DEFAULTS.refreshToken] });
    const ran = await ads("request");
    sim().setScenario({ revokedRefreshTokens: [] });
    expect(ran.code).toBe(1);
    expect(ran.stdout).toMatch(/ERROR — Aborted: Token refresh failed/);
  });

  it("worker: its summary counts the reports, apart from the polls a report still generating needs", async () => {
    // Each report is still generating at its first poll: 5 reports take 10 polls.
    sim().setScenario({ pollsBeforeComplete: 1 });
    try {
      // The per-organisation runs above used today's units; `queue` queues the day only once.
      await (await getDb()).delete(amazonAdsRequestUnits);
      await closeDb();
      expect((await ads("queue", "--org", "1")).code).toBe(0);
      const ran = await ads("worker");
      expect(ran.code, ran.stderr).toBe(0);
      expect(ran.stdout).toMatch(
        /12 unit\(s\) \(1 discovery, 1 profile, 10 report poll\(s\); 5 report\(s\) finished\), \d+ rows/,
      );
      expect(ran.stdout).toMatch(/5 completed/);
    } finally {
      sim().setScenario({ pollsBeforeComplete: 0 });
    }
  });
});

describe("the database it cannot open", () => {
  it("with PGlite, says who holds the data folder and exits 3", async () => {
    if (kind !== "pglite") {
      // Same check against PostgreSQL: an unreachable server is a clear exit 3.
      const ran = await runScript("scripts/ads.ts", ["status"], {
        ...childEnv,
        DATABASE_URL: "postgres://postgres@127.0.0.1:1/none",
      });
      expect(ran.code).toBe(3);
      expect(ran.stderr).toMatch(/ECONNREFUSED|connect/);
      return;
    }
    const lock = lockPathFor(process.env.PGLITE_DIR!);
    fs.writeFileSync(
      lock,
      JSON.stringify({ pid: process.pid, command: "next start", startedAt: new Date().toISOString() }),
    );
    try {
      const ran = await ads("status");
      expect(ran.code).toBe(3);
      expect(ran.stderr).toMatch(new RegExp(`in use by process ${process.pid} \\(next start\\)`));
      expect(ran.stderr).toMatch(/stop it first/);
      // What works beside npm run dev:sim; another PGLITE_DIR is not offered as a way (an empty database).
      expect(ran.stderr).toMatch(/start npm run simulator in its place/);
      expect(ran.stderr).not.toMatch(/run this one with\s+PGLITE_DIR/);
    } finally {
      fs.rmSync(lock, { force: true });
    }
  });
});

describe("shutdown", () => {
  it("SIGTERM closes the database cleanly and releases the PGlite folder lock", async () => {
    const { spawn } = await import("node:child_process");
    const child = spawn(process.execPath, ["--import", "tsx", "tests/support/hold-db.ts"], {
      env: { ...process.env, ...childEnv },
      stdio: ["ignore", "pipe", "pipe"],
    });
    await new Promise<void>((resolve, reject) => {
      child.stdout.on("data", (d: Buffer) => d.toString().includes("READY") && resolve());
      child.on("exit", (code) => reject(new Error(`exited early with ${code}`)));
    });
    if (kind === "pglite") expect(fs.existsSync(lockPathFor(process.env.PGLITE_DIR!))).toBe(true);
    const exit = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    child.kill("SIGTERM");
    expect(await exit).toBe(143);
    if (kind === "pglite") expect(fs.existsSync(lockPathFor(process.env.PGLITE_DIR!))).toBe(false);
    const status = await ads("status");
    expect(status.code, status.stderr).toBe(0);
  });
});
