import { eq, sql } from "drizzle-orm";
import { describe, expect, it, vi } from "vitest";
import { GET as settingsGet, POST as settingsPost } from "@/app/api/settings/route";
import { GET as setupGet, POST as setupPost } from "@/app/api/setup/route";
import { settings } from "@/lib/db/schema";
import { hasAnyUser } from "@/lib/orgs/organisations";
import { bootstrapAdminFromEnv } from "@/lib/orgs/accounts";
import { getAmazonSettings } from "@/lib/settings";
import { MASK } from "@/lib/settings/masking";
import { firstAdmin, jsonRequest, otherOrgAdmin, signIn, type TestUser } from "../support/auth";
import { setupTestDatabase } from "../support/test-db";

const testDb = setupTestDatabase();

const SP = {
  client_id: "amzn1.application-oa2-client.0123456789abcdef0123456789abcdef",
  client_secret: "amzn1.oa2-cs.v1.super-secret-client-secret-value",
  refresh_token: "Atzr|IwEBIA-a-very-long-refresh-token-value-1234",
  marketplace_id: "A1F83G8C2ARO7P",
};

let admin: TestUser;

async function withAdminEnv<T>(email: string, password: string, work: () => Promise<T>): Promise<T> {
  Object.assign(process.env, { ADMIN_EMAIL: email, ADMIN_PASSWORD: password });
  try {
    return await work();
  } finally {
    delete process.env.ADMIN_EMAIL;
    delete process.env.ADMIN_PASSWORD;
  }
}

describe("first run and sign-in", () => {
  it("ignores invalid ADMIN_EMAIL/ADMIN_PASSWORD with a warning that holds no value, and leaves setup open", async () => {
    const warnings: string[] = [];
    const spy = vi
      .spyOn(console, "warn")
      .mockImplementation((...args: unknown[]) => void warnings.push(args.join(" ")));
    try {
      expect(await withAdminEnv("admin@example.com", "short7!", bootstrapAdminFromEnv)).toBe("invalid");
      expect(await withAdminEnv("not-an-email", "long enough password", bootstrapAdminFromEnv)).toBe("invalid");
    } finally {
      spy.mockRestore();
    }
    expect(warnings.join("\n")).toMatch(/at least 8 characters/);
    expect(warnings.join("\n")).toMatch(/valid email/);
    expect(warnings.join("\n")).not.toMatch(/short7!|long enough password/);
    expect(await hasAnyUser()).toBe(false);
    expect(await (await setupGet(jsonRequest("/api/setup"))).json()).toEqual({ needsSetup: true });
  });

  it("offers setup while no user exists, then creates organisation 1 with its admin exactly once", async () => {
    expect(await (await setupGet(jsonRequest("/api/setup"))).json()).toEqual({ needsSetup: true });
    const created = await setupPost(
      jsonRequest("/api/setup", {
        body: { email: "admin@example.com", password: "correct horse battery", organisationName: "Org One" },
      }),
    );
    expect(created.status).toBe(201);
    expect(await created.json()).toMatchObject({ ok: true, orgId: 1 });
    expect(await (await setupGet(jsonRequest("/api/setup"))).json()).toEqual({ needsSetup: false });

    const again = await setupPost(
      jsonRequest("/api/setup", { body: { email: "intruder@example.com", password: "another password" } }),
    );
    expect(again.status).toBe(409);
    admin = {
      email: "admin@example.com",
      password: "correct horse battery",
      orgId: 1,
      cookie: await signIn("admin@example.com", "correct horse battery"),
    };
    expect(admin.cookie).toMatch(/session_token=/);
  });

  it("ADMIN_EMAIL/ADMIN_PASSWORD do nothing once a user exists", async () => {
    const users = async () =>
      (
        (await (await testDb.handle()).db.execute(sql`select count(*)::int as n from "user"`)) as unknown as {
          rows: Array<{ n: number }>;
        }
      ).rows[0]!.n;
    const before = await users();
    expect(await withAdminEnv("second-admin@example.com", "a valid password", bootstrapAdminFromEnv)).toBe("skipped");
    expect(await users()).toBe(before);
  });

  it("rejects a wrong password", async () => {
    await expect(signIn(admin.email, "wrong password!")).rejects.toThrow(/HTTP 401/);
  });

  it("a second organisation gets the next integer id", async () => {
    const other = await otherOrgAdmin();
    expect(other.orgId).toBe(2);
  });
});

describe("settings API (amazon)", () => {
  it("refuses anonymous callers", async () => {
    expect((await settingsGet(jsonRequest("/api/settings"))).status).toBe(401);
    expect((await settingsPost(jsonRequest("/api/settings", { body: { amazon: SP } }))).status).toBe(401);
  });

  it("saves encrypted, returns secrets masked, and stores no plaintext", async () => {
    const response = await settingsPost(jsonRequest("/api/settings", { cookie: admin.cookie, body: { amazon: SP } }));
    expect(response.status).toBe(200);
    const body = await response.json();
    expect(body.settings.amazon).toEqual({
      client_id: SP.client_id,
      client_secret: `${MASK}${SP.client_secret.slice(-4)}`,
      refresh_token: `${MASK}${SP.refresh_token.slice(-4)}`,
      marketplace_id: SP.marketplace_id,
    });
    expect(JSON.stringify(body)).not.toContain(SP.client_secret);
    const db = (await testDb.handle()).db;
    const [row] = await db.select().from(settings).where(eq(settings.key, "amazon"));
    expect(row!.valueEncrypted).toMatch(/^v1:/);
    expect(row!.valueEncrypted).not.toContain("super-secret");
    expect(await getAmazonSettings(1)).toEqual(SP);
  });

  it("keeps stored secrets when the masked values are sent back, and replaces changed ones", async () => {
    const masked = (await (await settingsGet(jsonRequest("/api/settings", { cookie: admin.cookie }))).json()).settings
      .amazon;
    const response = await settingsPost(
      jsonRequest("/api/settings", {
        cookie: admin.cookie,
        body: { amazon: { ...masked, marketplace_id: "A1PA6795UKMFR9" } },
      }),
    );
    expect(response.status).toBe(200);
    expect(await getAmazonSettings(1)).toEqual({ ...SP, marketplace_id: "A1PA6795UKMFR9" });
    // Empty means "unchanged" too.
    await settingsPost(
      jsonRequest("/api/settings", {
        cookie: admin.cookie,
        body: { amazon: { client_secret: "", refresh_token: "Atzr|new-refresh-token-000000" } },
      }),
    );
    expect(await getAmazonSettings(1)).toEqual({
      ...SP,
      marketplace_id: "A1PA6795UKMFR9",
      refresh_token: "Atzr|new-refresh-token-000000",
    });
  });

  it("rejects a masked value that does not match the stored secret", async () => {
    const response = await settingsPost(
      jsonRequest("/api/settings", { cookie: admin.cookie, body: { amazon: { client_secret: `${MASK}zzzz` } } }),
    );
    expect(response.status).toBe(400);
    expect((await response.json()).fields["amazon.client_secret"]).toMatch(/masked value/);
  });

  it("answers 400 with field messages for invalid values and stores nothing", async () => {
    const before = await getAmazonSettings(1);
    const response = await settingsPost(
      jsonRequest("/api/settings", {
        cookie: admin.cookie,
        body: { amazon: { client_id: "not-a-client-id", marketplace_id: "x" } },
      }),
    );
    expect(response.status).toBe(400);
    const body = await response.json();
    expect(body.fields["amazon.client_id"]).toMatch(/amzn1\.application-oa2-client/);
    expect(body.fields["amazon.marketplace_id"]).toMatch(/Marketplace ID/);
    expect(await getAmazonSettings(1)).toEqual(before);
  });

  it("refuses malformed JSON, unknown keys, wrong types and huge bodies with 4xx", async () => {
    const cases: Array<[unknown, number]> = [
      ["{not json", 400],
      [{ amazon: SP, surprise: 1 }, 400],
      [{ amazon: { client_id: 42 } }, 400],
      [{ amazon: { ...SP, extra_field: "x" } }, 400],
      [{ amazon: { client_secret: "x".repeat(70_000) } }, 413],
    ];
    for (const [body, status] of cases) {
      const response = await settingsPost(jsonRequest("/api/settings", { cookie: admin.cookie, body }));
      expect(response.status, JSON.stringify(body).slice(0, 60)).toBe(status);
    }
    const wrongType = await settingsPost(
      jsonRequest("/api/settings", { cookie: admin.cookie, body: "{}", headers: { "content-type": "text/plain" } }),
    );
    expect(wrongType.status).toBe(415);
  });

  it("refuses a state-changing request from a foreign origin", async () => {
    const response = await settingsPost(
      jsonRequest("/api/settings", {
        cookie: admin.cookie,
        body: { amazon: SP },
        headers: { origin: "https://evil.example" },
      }),
    );
    expect(response.status).toBe(403);
  });

  it("compares the whole origin (scheme and port too), trusts no X-Forwarded-Host, and wants an Origin with a session", async () => {
    const change = (headers: Record<string, string>, cookie: string | undefined = admin.cookie) =>
      settingsPost(jsonRequest("/api/settings", { cookie, body: { amazon: SP }, headers }));
    for (const origin of ["https://localhost:3000", "http://localhost:3001", "http://localhost", "null"]) {
      const response = await change({ origin });
      expect(response.status, origin).toBe(403);
      expect((await response.json()).message).toBe("Cross-origin request refused");
    }
    // A client's own X-Forwarded-Host does not make its origin ours.
    expect((await change({ origin: "https://evil.example", "x-forwarded-host": "evil.example" })).status).toBe(403);
    // A change with the session cookie and no Origin: not a page of ours.
    const bare = new Request("http://localhost:3000/api/settings", {
      method: "POST",
      headers: { cookie: admin.cookie, "content-type": "application/json" },
      body: JSON.stringify({ amazon: SP }),
    });
    const refused = await settingsPost(bare);
    expect(refused.status).toBe(403);
    expect((await refused.json()).message).toMatch(/must say where it comes from/);
    // Without a session nothing is at stake: the route's own check answers.
    const anonymous = new Request("http://localhost:3000/api/settings", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ amazon: SP }),
    });
    expect((await settingsPost(anonymous)).status).toBe(401);
    // The app's own page.
    expect((await change({ origin: "http://localhost:3000" })).status).toBe(200);
  });

  it("answers with Cache-Control: no-store, settings and errors alike", async () => {
    const read = await settingsGet(jsonRequest("/api/settings", { cookie: admin.cookie }));
    expect(read.status).toBe(200);
    expect(read.headers.get("cache-control")).toBe("no-store");
    const refused = await settingsGet(jsonRequest("/api/settings"));
    expect(refused.status).toBe(401);
    expect(refused.headers.get("cache-control")).toBe("no-store");
  });

  it("isolates organisations: org 2's admin can neither read nor write org 1", async () => {
    const other = await otherOrgAdmin();
    const read = await settingsGet(jsonRequest("/api/settings?orgId=1", { cookie: other.cookie }));
    expect(read.status).toBe(403);
    const write = await settingsPost(
      jsonRequest("/api/settings?orgId=1", {
        cookie: other.cookie,
        body: { amazon: { ...SP, client_secret: "hijacked-secret-value-123456" } },
      }),
    );
    expect(write.status).toBe(403);
    expect((await getAmazonSettings(1))?.client_secret).toBe(SP.client_secret);
    const own = await (await settingsGet(jsonRequest("/api/settings", { cookie: other.cookie }))).json();
    expect(own.orgId).toBe(other.orgId);
    expect(own.settings.amazon).toBeNull();
  });

  it("a ciphertext copied into another organisation's row does not decrypt there", async () => {
    const db = (await testDb.handle()).db;
    await db.execute(
      sql`insert into settings (org_id, key, value_encrypted) select 2, key, value_encrypted from settings where org_id = 1 and key = 'amazon'`,
    );
    await expect(getAmazonSettings(2)).rejects.toThrow(/integrity check/);
    const body = await (
      await settingsGet(jsonRequest("/api/settings?orgId=2", { cookie: (await firstAdminOf2()).cookie }))
    ).json();
    expect(body.settings.amazon).toBeNull();
    expect(body.errors.amazon).toMatch(/could not be read/);
  });

  it("deletes a section when it is sent as null", async () => {
    const response = await settingsPost(jsonRequest("/api/settings", { cookie: admin.cookie, body: { amazon: null } }));
    expect(response.status).toBe(200);
    expect(await getAmazonSettings(1)).toBeNull();
  });
});

async function firstAdminOf2(): Promise<TestUser> {
  // org 2's first admin was created by the "second organisation" test above.
  const { membershipsOf } = await import("@/lib/orgs/organisations");
  const { user } = await import("@/lib/db/schema");
  const db = (await testDb.handle()).db;
  const users = await db.select().from(user);
  for (const u of users) {
    const orgs = await membershipsOf(u.id);
    if (orgs.some((o) => o.orgId === 2))
      return {
        email: u.email,
        password: "another good password",
        orgId: 2,
        cookie: await signIn(u.email, "another good password"),
      };
  }
  throw new Error("no admin of org 2");
}
void firstAdmin;
