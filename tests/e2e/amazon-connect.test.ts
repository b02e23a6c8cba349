import pg from "pg";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { SIM_DEFAULTS } from "../../tools/amazon-ads-simulator/index";
import { createDatabase, startApp, type AppServer, type ThrowawayDatabase } from "./app-server";
import { createFirstAdmin, currentText, expectText, open, setupBrowser } from "./browser";

// "Connect with Amazon" in a real browser: the admin types the LwA app's client ID and secret, is sent to
// the simulator's consent page (standing in for Amazon's), and comes back with the refresh token saved.
// Its own database and app: the app must point its consent-page URLs at the simulator.

const ADMIN = { organisation: "Connect Ltd", email: "connect@e2e.example", password: "connect with amazon" };
const MASK = "••••••••";
const simBaseUrl = inject("simBaseUrl");

const browser = setupBrowser();
let database: ThrowawayDatabase | undefined;
let app: AppServer | undefined;
let db: pg.Client | undefined;

beforeAll(async () => {
  database = await createDatabase(inject("pgAdminUrl"), "ads_sync_e2e_connect");
  app = await startApp({
    name: "e2e-server-connect",
    databaseUrl: database.url,
    amazon: { tokenUrl: inject("simTokenUrl"), apiUrl: inject("simApiUrl") },
    env: {
      AMAZON_ADS_AUTH_URL_NA: `${simBaseUrl}/na/ap/oa`,
      AMAZON_ADS_AUTH_URL_EU: `${simBaseUrl}/eu/ap/oa`,
      AMAZON_ADS_AUTH_URL_FE: `${simBaseUrl}/fe/ap/oa`,
    },
  });
  db = new pg.Client({ connectionString: database.url });
  await db.connect();
});
afterAll(async () => {
  await db?.end();
  await app?.stop();
  await database?.drop();
});

const ads = (page: Page) => page.getByRole("region", { name: "Amazon Ads API" });
const field = (page: Page, label: string) => ads(page).getByLabel(label, { exact: true });
const connectButton = (page: Page) => ads(page).getByRole("button", { name: "Connect with Amazon" });

async function adsCiphertext(): Promise<string | null> {
  const { rows } = await db!.query<{ value_encrypted: string }>(
    "select value_encrypted from settings where key = 'amazon_ads'",
  );
  return rows[0]?.value_encrypted ?? null;
}

describe("Connect with Amazon in the browser", () => {
  it("a Cancel on Amazon's page comes back with an explanation and stores nothing", async () => {
    const { page } = browser();
    await open(page, app!.url, "/settings");
    await createFirstAdmin(page, ADMIN);
    // Nothing to connect with yet.
    expect(await connectButton(page).isDisabled()).toBe(true);
    await field(page, "Client ID").fill(SIM_DEFAULTS.clientId);
    await field(page, "Client secret").fill(SIM_DEFAULTS.clientSecret);
    await connectButton(page).click();

    await page.waitForURL((u) => u.href.startsWith(`${simBaseUrl}/eu/ap/oa`));
    expect(new URL(page.url()).searchParams.get("redirect_uri")).toBe(`${app!.url}/api/amazon-ads/callback`);
    await page.getByRole("button", { name: "Cancel" }).click();

    await page.waitForURL((u) => u.origin === app!.url && u.pathname === "/settings");
    await expectText(page.getByTestId("amazon_ads-connect-status"), "You cancelled on Amazon's page");
    expect(await page.getByTestId("amazon_ads-connect-status").getAttribute("class")).toContain("bad");
    // The outcome is not left in the address for a reload to repeat.
    expect(new URL(page.url()).searchParams.has("amazon_connect")).toBe(false);
    expect(await adsCiphertext()).toBeNull();
  });

  it("consenting saves the refresh token encrypted and masked, and Test connection lists the profiles", async () => {
    const { page } = browser();
    await field(page, "Client ID").fill(SIM_DEFAULTS.clientId);
    await field(page, "Client secret").fill(SIM_DEFAULTS.clientSecret);
    await field(page, "Region").selectOption("EU");
    await connectButton(page).click();

    await page.waitForURL((u) => u.href.startsWith(`${simBaseUrl}/eu/ap/oa`));
    await page.getByRole("button", { name: "Allow" }).click();
    await page.waitForURL((u) => u.origin === app!.url && u.pathname === "/settings");

    await expectText(page.getByTestId("amazon_ads-connect-status"), "Connected with Amazon");
    // The page runs Test connection by itself: green, with the login's profiles.
    const status = page.getByTestId("amazon_ads-status");
    await expectText(status, "Connected.", SIM_DEFAULTS.profileId, SIM_DEFAULTS.profile.accountInfo.name);
    expect(await status.getAttribute("class")).toContain("ok");
    expect(await status.locator("li").count()).toBeGreaterThan(0);

    const refresh = field(page, "Refresh token");
    expect(await refresh.inputValue()).toBe(MASK + SIM_DEFAULTS.refreshToken.slice(-4));
    expect(await refresh.getAttribute("readonly")).not.toBeNull();
    expect(await field(page, "Profiles to sync").inputValue()).toBe("all");

    const ciphertext = await adsCiphertext();
    expect(ciphertext?.startsWith("v1:")).toBe(true);
    for (const plain of [SIM_DEFAULTS.refreshToken, SIM_DEFAULTS.clientSecret]) expect(ciphertext).not.toContain(plain);
    // Neither the page nor the server's output ever shows the tokens or the secret.
    const shown = await currentText(page.locator("main"));
    for (const plain of [SIM_DEFAULTS.refreshToken, SIM_DEFAULTS.clientSecret]) {
      expect(shown).not.toContain(plain);
      expect(app!.output()).not.toContain(plain);
    }

    // A reload shows the saved state, without the one-off message.
    await page.reload({ waitUntil: "networkidle" });
    await ads(page).waitFor();
    expect(await page.getByTestId("amazon_ads-connect-status").count()).toBe(0);
    expect(await field(page, "Refresh token").inputValue()).toBe(MASK + SIM_DEFAULTS.refreshToken.slice(-4));
    await ads(page).getByRole("button", { name: "Test connection" }).click();
    await expectText(page.getByTestId("amazon_ads-status"), "Connected.");
    expect(await page.getByTestId("amazon_ads-status").getAttribute("class")).toContain("ok");
  });
});
