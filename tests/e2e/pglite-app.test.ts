import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, inject, it } from "vitest";
import { SIM_DEFAULTS } from "../../tools/amazon-ads-simulator/index";
import { startApp, type AppServer } from "./app-server";
import { createFirstAdmin, currentText, expectText, open, setupBrowser } from "./browser";

// The default a newcomer gets: no DATABASE_URL, so `next start` runs on embedded PGlite in its data
// folder (the wasm bundled by the build). SIGTERM must close it and release the folder's lock, and a
// restart on the same folder must find everything the first run stored.

const ADMIN = { organisation: "Embedded Ltd", email: "first@pglite.example", password: "pglite first admin" };
const browser = setupBrowser();
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "ads-sync-e2e-pglite-"));
const lockFile = `${path.join(dataDir, "pglite")}.lock`;
// Fixed across the two runs, as a deployment's keys would be.
const keys = {
  SETTINGS_ENCRYPTION_KEY: crypto.randomBytes(32).toString("hex"),
  BETTER_AUTH_SECRET: crypto.randomBytes(32).toString("base64"),
};
const amazon = () => ({ tokenUrl: inject("simTokenUrl"), apiUrl: inject("simApiUrl") });
// The restart runs as an operator would deploy it: with the operator's app, so a newcomer only presses Connect.
const operatorApp = () => ({
  AMAZON_ADS_CLIENT_ID: SIM_DEFAULTS.clientId,
  AMAZON_ADS_CLIENT_SECRET: SIM_DEFAULTS.clientSecret,
  AMAZON_ADS_AUTH_URL: `${inject("simBaseUrl")}/eu/ap/oa`,
});
let app: AppServer | undefined;

afterAll(async () => {
  await app?.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe("the app on embedded PGlite (no DATABASE_URL)", () => {
  it("offers the first admin, stores it, and holds the data folder's lock while it runs", async () => {
    app = await startApp({ name: "e2e-server-pglite", databaseUrl: null, dataDir, amazon: amazon(), env: keys });
    expect(JSON.parse(fs.readFileSync(lockFile, "utf8"))).toMatchObject({ pid: expect.any(Number) });

    const { page } = browser();
    await open(page, app.url, "/settings");
    await createFirstAdmin(page, ADMIN);
  });

  it("releases the lock on SIGTERM, and a restart on the same folder signs the admin in", async () => {
    await app!.stop();
    app = undefined;
    expect(fs.existsSync(lockFile)).toBe(false);

    app = await startApp({
      name: "e2e-server-pglite-restart",
      databaseUrl: null,
      dataDir,
      amazon: amazon(),
      env: { ...keys, ...operatorApp() },
    });
    const setup = await fetch(`${app.url}/api/setup`);
    expect(await setup.json()).toMatchObject({ needsSetup: false });
    const signIn = await fetch(`${app.url}/api/auth/sign-in/email`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: app.url },
      body: JSON.stringify({ email: ADMIN.email, password: ADMIN.password }),
    });
    expect(signIn.status).toBe(200);
    const cookie = signIn.headers
      .getSetCookie()
      .map((c) => c.split(";")[0])
      .join("; ");
    const settings = await fetch(`${app.url}/api/settings`, { headers: { cookie } });
    expect(settings.status).toBe(200);
  });

  it("with the operator's app, Connect with Amazon needs nothing typed, and the organisation then syncs with that app", async () => {
    const { page } = browser();
    await open(page, app!.url, "/login?next=/settings");
    if (new URL(page.url()).pathname === "/login") {
      await page.getByLabel("Email").fill(ADMIN.email);
      await page.getByLabel("Password").fill(ADMIN.password);
      await page.getByRole("button", { name: "Sign in" }).click();
      await page.waitForURL((u) => u.pathname === "/settings");
    }
    const ads = page.getByRole("region", { name: "Amazon Ads API" });
    const help = page.getByTestId("amazon_ads-connect-help");
    await expectText(help, `uses this server's app (${SIM_DEFAULTS.clientId}): nothing to type`);
    const connect = ads.getByRole("button", { name: "Connect with Amazon" });
    expect(await connect.isDisabled()).toBe(false);
    await connect.click();
    await page.waitForURL((u) => u.pathname.endsWith("/ap/oa"));
    expect(new URL(page.url()).searchParams.get("client_id")).toBe(SIM_DEFAULTS.clientId);
    await page.getByRole("button", { name: "Allow" }).click();
    await page.waitForURL((u) => u.origin === app!.url && u.pathname === "/settings");
    await expectText(page.getByTestId("amazon_ads-connect-status"), "Connected with Amazon");
    await expectText(
      page.getByTestId("amazon_ads-status"),
      "Connected with this server's app.",
      SIM_DEFAULTS.profileId,
    );
    // The page and the server's output never show the operator's secret; the form keeps no app of its own.
    expect(await ads.getByLabel("Client ID", { exact: true }).inputValue()).toBe("");
    expect(await currentText(page.locator("main"))).not.toContain(SIM_DEFAULTS.clientSecret);
    expect(app!.log()).not.toContain(SIM_DEFAULTS.clientSecret);
  });
});
