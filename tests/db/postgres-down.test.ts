import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { collectReports } from "@/lib/amazon-ads/work/org-run";
import { closeDb, getDb, openPostgres } from "@/lib/db";
import { amazonAdsPendingReports, syncLogs } from "@/lib/db/schema";
import { saveAmazonAdsSettings } from "@/lib/settings";
import { SIM_DEFAULTS } from "../../tools/amazon-ads-simulator/index";
import { amazonRows, storedRows } from "../support/rows";
import { setupSimulator, SIM_ADS_SETTINGS } from "../support/simulator";
import { createOrgOne, requestYesterday } from "../support/sync-fixture";
import { configureTestEnv } from "../support/test-db";

// Stopping a server needs one of our own: a private throwaway cluster (Debian's PostgreSQL binaries).
const { sim } = setupSimulator();
const bin = fs.existsSync("/usr/lib/postgresql")
  ? fs
      .readdirSync("/usr/lib/postgresql")
      .map((v) => `/usr/lib/postgresql/${v}/bin`)
      .filter((d) => fs.existsSync(`${d}/initdb`))
      .sort()
      .pop()
  : undefined;
const asPostgres = process.getuid?.() === 0 ? ["runuser", "-u", "postgres", "--"] : [];
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pg-down-"));
const port = 56000 + Math.floor(Math.random() * 2000);
const url = `postgres://postgres@127.0.0.1:${port}/postgres`;

function pgCtl(...args: string[]) {
  const [cmd, ...rest] = [...asPostgres, `${bin}/pg_ctl`, "-D", dir, ...args];
  execFileSync(cmd!, rest, { stdio: "ignore" });
}
const start = () =>
  pgCtl("-l", `${dir}/log`, "-w", "-o", `-p ${port} -k /tmp -c listen_addresses=127.0.0.1 -c fsync=off`, "start");
const stopNow = () => pgCtl("-m", "immediate", "-w", "stop");

beforeAll(async () => {
  if (!bin)
    throw new Error("PostgreSQL's binaries (initdb, pg_ctl) are needed for this test: apt-get install postgresql");
  if (asPostgres.length) execFileSync("chown", ["postgres", dir]);
  const [cmd, ...rest] = [...asPostgres, `${bin}/initdb`, "-D", dir, "-U", "postgres", "--auth=trust", "--no-sync"];
  execFileSync(cmd!, rest, { stdio: "ignore" });
  start();
  configureTestEnv();
  await closeDb();
  await (await openPostgres(url, { migrate: true })).close();
  process.env.DATABASE_URL = url;
  delete process.env.PGLITE_DIR;
  await createOrgOne();
  await saveAmazonAdsSettings(1, SIM_ADS_SETTINGS);
});

afterAll(async () => {
  await closeDb();
  try {
    stopNow();
  } catch {
    // already stopped
  }
  fs.rmSync(dir, { recursive: true, force: true });
});

describe("database unavailable during collect", () => {
  it("fails visibly, keeps the report pending with nothing half-written, and the next run finishes the job", async () => {
    sim().setProfileCampaigns(SIM_DEFAULTS.profileId, 5_000);
    sim().setScenario({ pollsBeforeComplete: 0 });
    const requested = await requestYesterday();
    expect(requested.status).toBe("success");
    const date = requested.reports[0]!.startDate;

    let stopped = false;
    const run = collectReports(1, {
      batchSize: 500,
      pollDelaysMs: [20],
      onBatch: () => {
        if (!stopped) {
          stopped = true;
          stopNow();
        }
      },
    });
    const failure = await run.then(
      () => null,
      (error: Error) => error,
    );
    expect(failure).toBeInstanceOf(Error);
    expect(`${failure!.message} ${String((failure as { cause?: unknown }).cause)}`).toMatch(
      /terminat|connect|ECONNREFUSED|shut|Failed query/i,
    );

    start();
    await closeDb();
    const db = await getDb();
    const [row] = await db.select().from(amazonAdsPendingReports);
    expect(row!.status).toBe("pending");
    expect(await storedRows(db, 1, date)).toEqual([]);
    const logs = await db.select().from(syncLogs);
    expect(logs.find((l) => l.job === "collect")!.status).toBe("running"); // the run never finished: visible as such

    await db.update(amazonAdsPendingReports).set({ lockedUntil: new Date(Date.now() - 1_000) }); // the dead run's claim has expired
    const next = await collectReports(1, { pollDelaysMs: [20] });
    expect(next.status).toBe("success");
    expect(await storedRows(db, 1, date)).toEqual(amazonRows(sim(), date));
  }, 120_000);
});
