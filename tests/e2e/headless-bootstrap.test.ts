import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createDatabase, startApp, type AppServer, type ThrowawayDatabase } from "./app-server";
import { expectText, open, setupBrowser } from "./browser";

// Headless first run: with ADMIN_EMAIL/ADMIN_PASSWORD set, the server creates the first admin when
// it starts, so nobody is ever offered "Create the first admin". Its own database and app.

const ADMIN = { email: "ops@e2e.example", password: "headless bootstrap pw" };

const browser = setupBrowser();
let database: ThrowawayDatabase | undefined;
let app: AppServer | undefined;
let db: pg.Client | undefined;

beforeAll(async () => {
  database = await createDatabase(inject("pgAdminUrl"), "ads_sync_e2e_headless");
  app = await startApp({
    name: "e2e-server-headless",
    databaseUrl: database.url,
    amazon: { tokenUrl: inject("simTokenUrl"), apiUrl: inject("simApiUrl") },
    env: { ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password },
  });
  db = new pg.Client({ connectionString: database.url });
  await db.connect();
});
afterAll(async () => {
  await db?.end();
  await app?.stop();
  await database?.drop();
});

describe("headless first admin (ADMIN_EMAIL / ADMIN_PASSWORD)", () => {
  it("exists as soon as the server answers, and /api/setup is closed", async () => {
    const users = await db!.query<{ email: string }>(`select email from "user"`);
    expect(users.rows.map((r) => r.email)).toEqual([ADMIN.email]);
    const orgs = await db!.query<{ id: number; role: string }>(
      `select o.id, m.role from organisations o join memberships m on m.org_id = o.id`,
    );
    expect(orgs.rows).toEqual([{ id: 1, role: "admin" }]);

    const status = await fetch(`${app!.url}/api/setup`);
    expect(await status.json()).toMatchObject({ needsSetup: false });
    const second = await fetch(`${app!.url}/api/setup`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        email: "intruder@e2e.example",
        password: "another password",
        organisationName: "Intruders",
      }),
    });
    expect(second.status).toBe(409);
    expect((await db!.query(`select 1 from "user"`)).rowCount).toBe(1);
  });

  it("offers Sign in (not setup) on the first visit, and the env credentials sign in", async () => {
    const { page } = browser();
    await open(page, app!.url, "/settings");
    expect(new URL(page.url()).pathname).toBe("/login");
    await expectText(page.locator("h1"), "Sign in");
    expect(await page.getByText("Create the first admin").count()).toBe(0);

    await page.getByLabel("Email").fill(ADMIN.email);
    await page.getByLabel("Password").fill(ADMIN.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL((u) => u.pathname === "/settings");
    await expectText(page.locator("h1"), "Settings — Organisation 1");
  });
});
