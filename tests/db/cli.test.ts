import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { addDays, todayIn } from "@/lib/amazon-ads/sync/dates";
import { sql } from "drizzle-orm";
import { closeDb, getDb, openPglite } from "@/lib/db";
import { lockPathFor } from "@/lib/db/pglite-lock";
import { amazonAdsPendingReports } from "@/lib/db/schema";
import { setupFirstAdmin } from "@/lib/orgs/orgs";
import { saveAmazonAdsSettings } from "@/lib/settings/store";
import { SIM_DEFAULTS } from "../../tools/amazon-ads-simulator/index";
import { setupSimulator, SIM_ADS_SETTINGS } from "../support/simulator";
import { signIn } from "../support/auth";
import { runScript, type Ran } from "../support/spawn";
import { setupSharedDatabase } from "../support/shared-db";

// The CLI runs as its own process, against a database a second process can open.
const { sim } = setupSimulator();
const shared = setupSharedDatabase(async () => {
  await setupFirstAdmin({ email: "admin@example.com", password: "correct horse battery" });
  await saveAmazonAdsSettings(1, SIM_ADS_SETTINGS);
});
const kind = shared.kind;
let childEnv: Record<string, string | undefined>;

const ads = (...args: string[]) => runScript("scripts/ads.ts", args, childEnv);
const today = () => todayIn(SIM_DEFAULTS.profile.timezone);

beforeAll(() => {
  childEnv = shared.childEnv();
  // Reports complete on the first poll, so the CLI's collect needs no wait between polls.
  sim().setScenario({ pollsBeforeComplete: 0 });
});

describe("npm run ads", () => {
  it("--help prints usage and exits 0; bad arguments exit 2 with a clear message", async () => {
    const help = await ads("--help");
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/backfill --from D --to D/);
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
    ] as Array<[string[], RegExp]>) {
      const ran = await ads(...args);
      expect(ran.code, args.join(" ")).toBe(2);
      expect(ran.stderr).toMatch(message);
    }
    expect(sim().requests.filter((r) => r.path.endsWith("/reporting/reports"))).toHaveLength(0);
  });

  it("status --org N of an organisation that does not exist exits 2 like the other commands, printing no tables", async () => {
    const ran = await ads("status", "--org", "999");
    expect(ran.code, ran.stderr).toBe(2);
    expect(ran.stderr).toMatch(/Organisation 999 does not exist/);
    expect(ran.stdout).toBe("");
    const json = await ads("status", "--org", "999", "--json");
    expect(json.code).toBe(2);
    expect(json.stdout).toBe("");
    // An existing one still answers (before anything ran: empty tables, exit 0).
    expect((await ads("status", "--org", "1")).code).toBe(0);
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
    const bodies = sim()
      .requests.filter((r) => r.method === "POST" && r.path.endsWith("/reporting/reports"))
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

describe("npm run demo", () => {
  it("runs the whole sync on a fresh embedded database, prints what landed, and can run twice", async () => {
    const demoDir = fs.mkdtempSync(path.join(os.tmpdir(), "demo-"));
    let printed = new Map<string, number>();
    for (let i = 0; i < 2; i++) {
      const ran = await runScript("scripts/demo.ts", [], {
        DEMO_DATA_DIR: demoDir,
        DATABASE_URL: undefined,
        SETTINGS_ENCRYPTION_KEY: undefined,
      });
      expect(ran.code, ran.stderr).toBe(0);
      expect(ran.stdout).toMatch(/5 created/);
      expect(ran.stdout).toMatch(/5 completed \((\d+) rows\)/);
      const rows = Number(/5 completed \((\d+) rows\)/.exec(ran.stdout)![1]);
      const perDate = [...ran.stdout.matchAll(/^\s*1\s+\d+\s+\d{4}-\d{2}-\d{2}\s+(\d+)\s/gm)].map((m) => Number(m[1]));
      expect(perDate).toHaveLength(5);
      expect(perDate.reduce((a, b) => a + b, 0)).toBe(rows);
      expect(ran.stdout).toMatch(/Spring "Sale" – Größe 🌸/);
      printed = new Map(
        [...ran.stdout.matchAll(/^\s+1\s+\d+\s+(\d{4}-\d{2}-\d{2})\s+(\d+)\s/gm)].map((m) => [m[1]!, Number(m[2])]),
      );
    }
    expect(fs.existsSync(lockPathFor(path.join(demoDir, "pglite")))).toBe(false);
    // What it printed is what it stored: rows per date in the demo's own database.
    const stored = await openPglite(path.join(demoDir, "pglite"));
    try {
      const result = (await stored.db.execute(
        sql`select date::text as date, count(*)::int as n from amazon_sp_ads where org_id = 1 group by date`,
      )) as unknown as { rows: Array<{ date: string; n: number }> };
      expect(new Map(result.rows.map((r) => [r.date, r.n]))).toEqual(printed);
    } finally {
      await stored.close();
    }
  });
});

// Every run of the CLI is a process of its own that opens the database: seconds each on a busy machine.
describe("npm run ads -- org", { timeout: 240_000 }, () => {
  const adminSecret = "operator chosen secret";
  const memberSecret = "member chosen secret";
  let acme: number;

  /** `org list --json`: every organisation, to check what a command stored (or did not). */
  const organisations = async (): Promise<
    Array<{ orgId: number; name: string; members: number; admins: string[] }>
  > => {
    const ran = await ads("org", "list", "--json");
    expect(ran.code, ran.stderr).toBe(0);
    return JSON.parse(ran.stdout);
  };
  const membersOf = async (orgId: number): Promise<Array<{ email: string; role: string }>> => {
    const ran = await ads("org", "list", "--org", String(orgId), "--json");
    expect(ran.code, ran.stderr).toBe(0);
    return JSON.parse(ran.stdout).members;
  };
  /** Signs in in this process (its own handle on the database, closed again for the next child). */
  const canSignIn = async (email: string, password: string) => {
    try {
      await signIn(email, password);
      return true;
    } catch {
      return false;
    } finally {
      await closeDb();
    }
  };

  it("org add creates an organisation and its new admin, who can sign in; the password is not printed", async () => {
    expect((await ads("--help")).stdout).toMatch(/org add --name NAME --admin-email EMAIL/);
    const added = await ads(
      "org",
      "add",
      "--name",
      "Acme CLI",
      "--admin-email",
      "Acme.Admin@example.com",
      "--admin-password",
      adminSecret,
    );
    expect(added.code, added.stderr).toBe(0);
    const match = /Created organisation (\d+) "Acme CLI" with admin acme\.admin@example\.com \(new user\)/.exec(
      added.stdout,
    );
    expect(match, added.stdout).not.toBeNull();
    acme = Number(match![1]);
    expect(added.stdout + added.stderr).not.toContain(adminSecret);
    expect(await membersOf(acme)).toEqual([
      expect.objectContaining({ email: "acme.admin@example.com", role: "admin" }),
    ]);
    expect(await canSignIn("acme.admin@example.com", adminSecret)).toBe(true);
  });

  it("org add with an existing user as admin takes no password, and refuses one", async () => {
    const before = await organisations();
    const refused = await ads(
      "org",
      "add",
      "--name",
      "Reset Attempt",
      "--admin-email",
      "admin@example.com",
      "--admin-password",
      "attempted reset password",
    );
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/already has an account/);
    expect(refused.stdout + refused.stderr).not.toContain("attempted reset password");
    expect(await organisations()).toEqual(before);

    const added = await ads("org", "add", "--name", "Second CLI", "--admin-email", "admin@example.com", "--json");
    expect(added.code, added.stderr).toBe(0);
    const created = JSON.parse(added.stdout);
    expect(created).toMatchObject({ name: "Second CLI", admin: { email: "admin@example.com", userCreated: false } });
    expect(await membersOf(created.orgId)).toEqual([
      expect.objectContaining({ email: "admin@example.com", role: "admin" }),
    ]);
    expect(await canSignIn("admin@example.com", "correct horse battery")).toBe(true);
    expect(await canSignIn("admin@example.com", "attempted reset password")).toBe(false);
  });

  it("org member adds a new user (password as an option or from stdin), an existing one without, and changes roles", async () => {
    const added = await ads(
      "org",
      "member",
      "--org",
      String(acme),
      "--email",
      "colleague@example.com",
      "--role",
      "member",
      "--password",
      memberSecret,
    );
    expect(added.code, added.stderr).toBe(0);
    expect(added.stdout).toMatch(
      new RegExp(`Added colleague@example.com \\(new user\\) to organisation ${acme} "Acme CLI" as member`),
    );
    expect(added.stdout + added.stderr).not.toContain(memberSecret);

    const piped = await adsWithStdin(
      "stdin secret password\n",
      "org",
      "member",
      "--org",
      String(acme),
      "--email",
      "piped@example.com",
      "--role",
      "admin",
      "--password",
      "-",
    );
    expect(piped.code, piped.stderr).toBe(0);
    expect(piped.stdout + piped.stderr).not.toContain("stdin secret password");

    const existing = await ads(
      "org",
      "member",
      "--org",
      String(acme),
      "--email",
      "admin@example.com",
      "--role",
      "member",
    );
    expect(existing.code, existing.stderr).toBe(0);
    expect(existing.stdout).toMatch(/Added admin@example.com to organisation/);
    const promoted = await ads(
      "org",
      "member",
      "--org",
      String(acme),
      "--email",
      "colleague@example.com",
      "--role",
      "admin",
    );
    expect(promoted.code, promoted.stderr).toBe(0);
    expect(promoted.stdout).toMatch(
      /Changed colleague@example.com in organisation \d+ "Acme CLI" from member to admin/,
    );

    expect(await membersOf(acme)).toEqual([
      expect.objectContaining({ email: "acme.admin@example.com", role: "admin" }),
      expect.objectContaining({ email: "admin@example.com", role: "member" }),
      expect.objectContaining({ email: "colleague@example.com", role: "admin" }),
      expect.objectContaining({ email: "piped@example.com", role: "admin" }),
    ]);
    expect(await canSignIn("colleague@example.com", memberSecret)).toBe(true);
    expect(await canSignIn("piped@example.com", "stdin secret password")).toBe(true);
    expect(await canSignIn("admin@example.com", "correct horse battery")).toBe(true);
  });

  it("org list prints every organisation with its members and admins", async () => {
    const list = await ads("org", "list");
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).toMatch(/^org\s+name\s+members\s+admins/);
    expect(list.stdout).toMatch(/^\s*1\s+My organisation\s+1\s+admin@example\.com$/m);
    expect(list.stdout).toMatch(
      new RegExp(
        `^\\s*${acme}\\s+Acme CLI\\s+4\\s+acme\\.admin@example\\.com, colleague@example\\.com, piped@example\\.com$`,
        "m",
      ),
    );
    const members = await ads("org", "list", "--org", String(acme));
    expect(members.stdout).toMatch(/^colleague@example\.com\s+admin\s+colleague\s+\d{4}-\d{2}-\d{2}$/m);
  });

  it("bad arguments exit 2 with a clear message, print no password and store nothing", async () => {
    const before = await organisations();
    const members = await membersOf(acme);
    const secret = "never printed secret";
    for (const [args, message] of [
      [["org"], /org needs list, add or member/],
      [["org", "frobnicate"], /Unknown org command "frobnicate"/],
      [["org", "add", "--name", "X"], /org add needs --name NAME and --admin-email EMAIL/],
      [["org", "add", "--name", "X", "--admin-email", "x@example.com", "--admin-password"], /argument missing/],
      // A value without its option is not echoed: it may be a password.
      [["org", "add", "--name", "X", "--admin-email", "x@example.com", secret], /takes no further arguments/],
      [
        ["org", "add", "--name", " ", "--admin-email", "not-an-email", "--admin-password", "sh0rt!"],
        /name: Name the organisation; adminEmail: Enter a valid email address; adminPassword: .*at least 8 characters/,
      ],
      [["org", "add", "--name", "X", "--admin-email", "x@example.com"], /no account yet: give a password/],
      [
        ["org", "member", "--org", "999", "--email", "x@example.com", "--role", "member", "--password", secret],
        /[Oo]rganisation 999 does not exist/,
      ],
      [
        ["org", "member", "--org", String(acme), "--email", "x@example.com", "--role", "owner", "--password", secret],
        /admin or member/,
      ],
      [
        ["org", "member", "--org", "1", "--email", "admin@example.com", "--role", "admin", "--password", secret],
        /already has an account/,
      ],
      [
        ["org", "member", "--org", "1", "--email", "admin@example.com", "--role", "member"],
        /only admin of organisation 1/,
      ],
    ] as Array<[string[], RegExp]>) {
      const ran = await ads(...args);
      expect(ran.code, `${args.join(" ")}: ${ran.stderr}`).toBe(2);
      expect(ran.stderr, args.join(" ")).toMatch(message);
      expect(ran.stdout + ran.stderr, args.join(" ")).not.toContain(secret);
      expect(ran.stderr).not.toContain("sh0rt!");
    }
    expect(await organisations()).toEqual(before);
    expect(await membersOf(acme)).toEqual(members);
    expect(await canSignIn("x@example.com", secret)).toBe(false);
  });
});

/** Like runScript, with `input` on the child's stdin (for a password given as "-"). */
async function adsWithStdin(input: string, ...args: string[]): Promise<Ran> {
  const { spawn } = await import("node:child_process");
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", "scripts/ads.ts", ...args], {
      env: { ...process.env, ...childEnv },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input);
  });
}
