import pg from "pg";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { SIM_DEFAULTS } from "../../tools/amazon-ads-simulator/index";
import { createDatabase, startApp, type AppServer, type ThrowawayDatabase } from "./app-server";
import { createFirstAdmin, currentText, expectText, inView, open, setupBrowser } from "./browser";
import { DEV_NAVIGATION_TIMEOUT_MS, startDevApp } from "./dev-server";

// "Connect with Amazon" in a real browser: the admin types the LwA app's client ID and secret, is sent to
// the simulator's consent page (standing in for Amazon's), and comes back with the refresh token saved.
// Under `next start` and under `next dev` (React's development double effects, Next's request log), each
// with its own database and app: the app must point its consent-page URLs at the simulator.

const ADMIN = { organisation: "Connect Ltd", email: "connect@e2e.example", password: "connect with amazon" };
const MASK = "••••••••";
const CALLBACK_PATH = "/api/amazon-ads/callback";
const simBaseUrl = inject("simBaseUrl");
const amazon = { tokenUrl: inject("simTokenUrl"), apiUrl: inject("simApiUrl") };
const consentPages = {
  AMAZON_ADS_AUTH_URL_NA: `${simBaseUrl}/na/ap/oa`,
  AMAZON_ADS_AUTH_URL_EU: `${simBaseUrl}/eu/ap/oa`,
  AMAZON_ADS_AUTH_URL_FE: `${simBaseUrl}/fe/ap/oa`,
};

const MODES = [
  {
    mode: "next start",
    navigationTimeoutMs: 30_000,
    start: (databaseUrl: string) => startApp({ name: "e2e-server-connect", databaseUrl, amazon, env: consentPages }),
  },
  {
    mode: "next dev",
    navigationTimeoutMs: DEV_NAVIGATION_TIMEOUT_MS,
    start: (databaseUrl: string) =>
      startDevApp({
        name: "e2e-dev-server-connect",
        databaseUrl,
        amazon,
        env: (port) => ({ ...consentPages, BETTER_AUTH_URL: `http://127.0.0.1:${port}` }),
        // Compiled on first use otherwise, which on a small machine can outlast a navigation's timeout.
        warm: ["/settings", "/api/settings", "/api/amazon-ads/connect", CALLBACK_PATH, "/api/test/amazon-ads"],
      }),
  },
];

const browser = setupBrowser();

const ads = (page: Page) => page.getByRole("region", { name: "Amazon Ads API" });
const field = (page: Page, label: string) => ads(page).getByLabel(label, { exact: true });
const connectButton = (page: Page) => ads(page).getByRole("button", { name: "Connect with Amazon" });

describe.each(MODES)("Connect with Amazon in the browser ($mode)", ({ mode, navigationTimeoutMs, start }) => {
  let database: ThrowawayDatabase | undefined;
  let app: AppServer | undefined;
  let db: pg.Client | undefined;
  /** Every callback URL the browser was sent to: what Amazon handed over (code, state). */
  const callbacks: URL[] = [];

  beforeAll(async () => {
    // Cookies ignore ports: the other mode's session must not ride along.
    await browser().context.clearCookies();
    browser().page.setDefaultNavigationTimeout(navigationTimeoutMs);
    database = await createDatabase(inject("pgAdminUrl"), "ads_sync_e2e_connect");
    app = await start(database.url);
    db = new pg.Client({ connectionString: database.url });
    await db.connect();
    browser().page.on("request", (request) => {
      const url = new URL(request.url());
      if (url.origin === app?.url && url.pathname === CALLBACK_PATH) callbacks.push(url);
    });
  });
  afterAll(async () => {
    browser().page.removeAllListeners("request");
    await db?.end();
    await app?.stop();
    await database?.drop();
  });

  async function adsCiphertext(): Promise<string | null> {
    const { rows } = await db!.query<{ value_encrypted: string }>(
      "select value_encrypted from settings where key = 'amazon_ads'",
    );
    return rows[0]?.value_encrypted ?? null;
  }

  it("a Cancel on Amazon's page comes back with an explanation and stores nothing", async () => {
    const { page } = browser();
    await open(page, app!.url, "/settings");
    await createFirstAdmin(page, ADMIN);
    // Nothing to connect with yet, and the page says what it needs (not only a tooltip).
    expect(await connectButton(page).isDisabled()).toBe(true);
    await expectText(
      page.getByTestId("amazon_ads-connect-help"),
      "Connect with Amazon needs only the Client ID and Client secret",
      "Enter the Client ID and Client secret first.",
    );
    await field(page, "Client ID").fill(SIM_DEFAULTS.clientId);
    await field(page, "Client secret").fill(SIM_DEFAULTS.clientSecret);
    expect(await currentText(page.getByTestId("amazon_ads-connect-help"))).not.toContain("first.");
    await connectButton(page).click();

    await page.waitForURL((u) => u.href.startsWith(`${simBaseUrl}/eu/ap/oa`));
    expect(new URL(page.url()).searchParams.get("redirect_uri")).toBe(`${app!.url}${CALLBACK_PATH}`);
    await page.getByRole("button", { name: "Cancel" }).click();

    await page.waitForURL((u) => u.origin === app!.url && u.pathname === "/settings");
    await expectText(page.getByTestId("amazon_ads-connect-status"), "You cancelled on Amazon's page");
    expect(await page.getByTestId("amazon_ads-connect-status").getAttribute("class")).toContain("bad");
    // Back on a long page, the outcome is in the window, not below it.
    await expect.poll(() => inView(page.getByTestId("amazon_ads-connect-status"))).toBe(true);
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
    await expect.poll(() => inView(page.getByTestId("amazon_ads-connect-status"))).toBe(true);
    // The page runs Test connection by itself: green, with the login's profiles.
    const status = page.getByTestId("amazon_ads-status");
    await expectText(
      status,
      "Connected with your own app.",
      SIM_DEFAULTS.profileId,
      SIM_DEFAULTS.profile.accountInfo.name,
    );
    expect(await status.getAttribute("class")).toContain("ok");
    expect(await status.locator("li").count()).toBeGreaterThan(0);
    expect(new URL(page.url()).searchParams.has("amazon_connect")).toBe(false);

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
      expect(app!.log()).not.toContain(plain);
    }

    // A reload shows the saved state, without the one-off message.
    await page.reload({ waitUntil: "networkidle" });
    await ads(page).waitFor();
    expect(await page.getByTestId("amazon_ads-connect-status").count()).toBe(0);
    expect(await field(page, "Refresh token").inputValue()).toBe(MASK + SIM_DEFAULTS.refreshToken.slice(-4));
    await ads(page).getByRole("button", { name: "Test connection" }).click();
    await expectText(page.getByTestId("amazon_ads-status"), "Connected with your own app.");
    expect(await page.getByTestId("amazon_ads-status").getAttribute("class")).toContain("ok");
  });

  it("the server's output never shows the authorisation code or the state, and no favicon is missing", async () => {
    // The Cancel's state, and the Allow's code and state.
    const secrets = callbacks.flatMap((u) => [u.searchParams.get("code"), u.searchParams.get("state")]);
    const handedOver = secrets.filter((v): v is string => v !== null);
    expect(handedOver).toHaveLength(3);
    for (const value of handedOver) expect(value.length).toBeGreaterThanOrEqual(16);
    if (mode === "next dev") {
      const favicon = await fetch(`${app!.url}/favicon.ico`);
      expect(favicon.status).toBe(200);
      await favicon.arrayBuffer();
    }
    const log = app!.log();
    if (mode === "next dev") {
      // Next's development request log is on and has caught up with the requests after the callbacks.
      expect(log).toMatch(/GET \/settings\?orgId=1&amazon_connect=connected/);
      expect(log).not.toMatch(/GET \/favicon\.ico.* 404/);
    }
    // (Booleans, so that a failure does not print the values.)
    const shown = handedOver.filter((value) => log.includes(value) || log.includes(encodeURIComponent(value)));
    expect(shown.length, "authorisation codes or states in the server's output").toBe(0);
  });
});
