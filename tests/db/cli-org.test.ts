import { describe, expect, it } from "vitest";
import { closeDb } from "@/lib/db";
import { setupFirstAdmin } from "@/lib/orgs/accounts";
import { signIn } from "../support/auth";
import { adsInProcess } from "../support/cli";
import { runScript, type Ran } from "../support/spawn";
import { setupSharedDatabase } from "../support/shared-db";

// `npm run ads -- org …` as real processes, against a database a second process can open.
const shared = setupSharedDatabase(async () => {
  await setupFirstAdmin({ email: "admin@example.com", password: "correct horse battery" });
});
const ads = (...args: string[]) => runScript("scripts/ads.ts", args, shared.childEnv());
const adsWithStdin = (input: string, ...args: string[]): Promise<Ran> =>
  runScript("scripts/ads.ts", args, shared.childEnv(), { input });

// Every run of the CLI is a process of its own that opens the database: seconds each on a busy machine.
describe("npm run ads -- org", { timeout: 240_000 }, () => {
  const adminSecret = "operator chosen secret";
  const memberSecret = "member chosen secret";
  let acme: number;

  /** `org list --json`: every organisation, to check what a command stored (or did not). */
  const organisations = async (): Promise<
    Array<{ orgId: number; name: string; members: number; admins: string[] }>
  > => {
    const ran = await adsInProcess("org", "list", "--json");
    expect(ran.code, ran.stderr).toBe(0);
    return JSON.parse(ran.stdout);
  };
  const membersOf = async (orgId: number): Promise<Array<{ email: string; role: string }>> => {
    const ran = await adsInProcess("org", "list", "--org", String(orgId), "--json");
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
    // The process exits with what runCli answers; the cases below run it in this process.
    const unknown = await ads("org", "frobnicate");
    expect([unknown.code, unknown.stderr]).toEqual([2, expect.stringMatching(/Unknown org command "frobnicate"/)]);
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
      const ran = await adsInProcess(...args);
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
