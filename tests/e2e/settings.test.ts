import fs from "node:fs";
import path from "node:path";
import pg from "pg";
import type { Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { SIM_DEFAULTS } from "../../tools/amazon-ads-simulator/index";
import { createFirstAdmin, currentText, expectText, inView, open, setupBrowser } from "./browser";
import { RESULTS_DIR } from "./paths";

// The newcomer's path through the real app (next start + PostgreSQL + the Amazon simulator), in
// order, in one browser: first admin → sign out/in → SP-API and Ads API credentials → the checks.

const appUrl = inject("appUrl");
const simBaseUrl = inject("simBaseUrl");
const ADMIN = { organisation: "E2E Trading Ltd", email: "owner@e2e.example", password: "correct horse battery" };
const MASK = "••••••••";
const SP = {
  client_id: SIM_DEFAULTS.clientId,
  client_secret: SIM_DEFAULTS.clientSecret,
  refresh_token: SIM_DEFAULTS.refreshToken,
  marketplace_id: "A1F83G8C2ARO7P",
};
const ADS = {
  client_id: SIM_DEFAULTS.clientId,
  client_secret: SIM_DEFAULTS.clientSecret,
  refresh_token: SIM_DEFAULTS.refreshToken,
  profile_id: SIM_DEFAULTS.profileId,
};
const NA_PROFILE_ID = "1111222233334444";
const masked = (secret: string) => MASK + secret.slice(-4);

const browser = setupBrowser();
let db: pg.Client;

beforeAll(async () => {
  db = new pg.Client({ connectionString: inject("dbUrl") });
  await db.connect();
  // This file presses Test connection five times: a fresh window of its limit, whatever ran before.
  await db.query("delete from rate_limits");
});
afterAll(async () => {
  await db?.end();
});

/** The settings rows, by key: the stored ciphertext. */
async function settingsRows(): Promise<Record<string, string>> {
  const { rows } = await db.query<{ key: string; value_encrypted: string }>(
    "select key, value_encrypted from settings order by key",
  );
  return Object.fromEntries(rows.map((r) => [r.key, r.value_encrypted]));
}

async function simulatorTokenRequests(): Promise<number> {
  const response = await fetch(`${simBaseUrl}/__admin/requests`);
  expect(response.status).toBe(200);
  const requests = (await response.json()) as Array<{ method: string; path: string }>;
  return requests.filter((r) => r.method === "POST" && r.path.endsWith("/auth/o2/token")).length;
}

const section = (page: Page, title: "Amazon SP-API" | "Amazon Ads API") => page.getByRole("region", { name: title });
/** An input found by its visible <label>, within its section (both sections have a "Client ID"). */
const field = (page: Page, title: "Amazon SP-API" | "Amazon Ads API", label: string) =>
  section(page, title).getByLabel(label, { exact: true });
const statusOf = (page: Page, key: "amazon" | "amazon_ads") => page.getByTestId(`${key}-status`);

async function expectLocked(input: Locator, value: string) {
  expect(await input.inputValue()).toBe(value);
  expect(await input.getAttribute("readonly")).not.toBeNull();
  expect(await input.isEditable()).toBe(false);
}

/** Identifiers (client id, marketplace, profiles) are edited in place: shown whole, never locked. */
async function expectEditable(input: Locator, value: string) {
  expect(await input.inputValue()).toBe(value);
  expect(await input.getAttribute("readonly")).toBeNull();
  expect(await input.isEditable()).toBe(true);
}

/**
 * After Save: the section shows the saved secrets locked (its Client secret gets an Edit button) and
 * says it saved. The message is checked softly so the rest of the test still runs if it is missing.
 */
async function expectSavedConfirmation(page: Page, key: "amazon" | "amazon_ads") {
  await section(page, key === "amazon" ? "Amazon SP-API" : "Amazon Ads API")
    .getByRole("button", { name: "Edit Client secret" })
    .waitFor();
  expect.soft(await currentText(statusOf(page, key)), "the success message after Save").toContain("Saved");
}

async function reload(page: Page) {
  await page.reload({ waitUntil: "networkidle" });
  await section(page, "Amazon SP-API").waitFor();
}

describe("settings in the browser", () => {
  it("a newcomer is sent to /login, creates the first admin and lands on /settings signed in", async () => {
    const { page } = browser();
    await open(page, appUrl, "/settings");
    const url = new URL(page.url());
    expect(url.pathname).toBe("/login");
    expect(url.searchParams.get("next")).toBe("/settings");
    await createFirstAdmin(page, ADMIN);
    await section(page, "Amazon SP-API").waitFor();
    await section(page, "Amazon Ads API").waitFor();

    const users = await db.query<{ email: string }>(`select email from "user"`);
    expect(users.rows.map((r) => r.email)).toEqual([ADMIN.email]);
    const orgs = await db.query<{ id: number; name: string; role: string }>(
      `select o.id, o.name, m.role from organisations o join memberships m on m.org_id = o.id`,
    );
    expect(orgs.rows).toEqual([{ id: 1, name: ADMIN.organisation, role: "admin" }]);
  });

  it("signs out, refuses a wrong password, then signs in through the Sign in form", async () => {
    const { page } = browser();
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL((u) => u.pathname === "/login");
    await expectText(page.locator("h1"), "Sign in");
    // Signed out for real: the settings API refuses this browser now.
    const apiStatus = await page.evaluate(async () => (await fetch("/api/settings")).status);
    expect(apiStatus).toBe(401);

    await page.getByLabel("Email").fill(ADMIN.email);
    await page.getByLabel("Password").fill("not the password");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expectText(page.getByRole("alert"), "Wrong email or password.");
    expect(new URL(page.url()).pathname).toBe("/login");

    await page.getByLabel("Password").fill(ADMIN.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL((u) => u.pathname === "/settings");
    await expectText(page.locator("h1"), `Settings — ${ADMIN.organisation}`);
  });

  it("saves the SP-API credentials encrypted, shows them masked and read-only, and tests them against Login with Amazon", async () => {
    const { page } = browser();
    const sp = section(page, "Amazon SP-API");
    await field(page, "Amazon SP-API", "Client ID").fill(SP.client_id);
    await field(page, "Amazon SP-API", "Client secret").fill(SP.client_secret);
    await field(page, "Amazon SP-API", "Refresh token").fill(SP.refresh_token);
    await field(page, "Amazon SP-API", "Marketplace ID").fill(SP.marketplace_id);
    await sp.getByRole("button", { name: "Save" }).click();
    await expectSavedConfirmation(page, "amazon");

    const rows = await settingsRows();
    expect(Object.keys(rows)).toEqual(["amazon"]);
    const ciphertext = rows.amazon!;
    expect(ciphertext.startsWith("v1:")).toBe(true);
    for (const plain of [SP.client_secret, SP.refresh_token, SP.client_id, SP.marketplace_id])
      expect(ciphertext).not.toContain(plain);

    await reload(page);
    await expectLocked(field(page, "Amazon SP-API", "Client secret"), masked(SP.client_secret));
    await expectLocked(field(page, "Amazon SP-API", "Refresh token"), masked(SP.refresh_token));
    await expectEditable(field(page, "Amazon SP-API", "Client ID"), SP.client_id);
    await expectEditable(field(page, "Amazon SP-API", "Marketplace ID"), SP.marketplace_id);

    const tokenRequestsBefore = await simulatorTokenRequests();
    await sp.getByRole("button", { name: "Test connection" }).click();
    await expectText(statusOf(page, "amazon"), "Connected");
    expect(await statusOf(page, "amazon").getAttribute("class")).toContain("ok");
    // The answer came from the simulator's Login with Amazon, with the stored (unmasked) secret.
    expect(await simulatorTokenRequests()).toBeGreaterThan(tokenRequestsBefore);
  });

  it("saves the Ads API credentials, shows the profile from Amazon on Test connection, and leaves SP-API alone", async () => {
    const { page } = browser();
    const spCiphertextBefore = (await settingsRows()).amazon;
    const ads = section(page, "Amazon Ads API");
    await field(page, "Amazon Ads API", "Client ID").fill(ADS.client_id);
    await field(page, "Amazon Ads API", "Client secret").fill(ADS.client_secret);
    await field(page, "Amazon Ads API", "Refresh token").fill(ADS.refresh_token);
    await field(page, "Amazon Ads API", "Profile ID").fill(ADS.profile_id);
    await field(page, "Amazon Ads API", "Region").selectOption("EU");
    await ads.getByRole("button", { name: "Save" }).click();
    await expectSavedConfirmation(page, "amazon_ads");

    const rows = await settingsRows();
    expect(Object.keys(rows)).toEqual(["amazon", "amazon_ads"]);
    expect(rows.amazon).toBe(spCiphertextBefore);
    expect(rows.amazon_ads!.startsWith("v1:")).toBe(true);
    for (const plain of [ADS.client_secret, ADS.refresh_token, ADS.profile_id])
      expect(rows.amazon_ads).not.toContain(plain);

    await reload(page);
    await expectLocked(field(page, "Amazon Ads API", "Client secret"), masked(ADS.client_secret));
    await expectLocked(field(page, "Amazon Ads API", "Refresh token"), masked(ADS.refresh_token));
    await expectEditable(field(page, "Amazon Ads API", "Client ID"), ADS.client_id);
    await expectEditable(field(page, "Amazon Ads API", "Profile ID"), ADS.profile_id);
    expect(await field(page, "Amazon Ads API", "Region").inputValue()).toBe("EU");
    // Only the secrets lock behind Edit.
    for (const label of ["Client secret", "Refresh token"])
      expect(await ads.getByRole("button", { name: `Edit ${label}` }).count(), label).toBe(1);
    for (const label of ["Client ID", "Profile ID"])
      expect(await ads.getByRole("button", { name: `Edit ${label}` }).count(), label).toBe(0);

    // From the top of the page: the result appears below the fold, and is brought into view.
    await page.evaluate(() => window.scrollTo(0, 0));
    await ads.getByRole("button", { name: "Test connection" }).click();
    const { profile } = SIM_DEFAULTS;
    await expectText(
      statusOf(page, "amazon_ads"),
      "Connected",
      profile.profileId,
      profile.countryCode,
      profile.currencyCode,
      profile.timezone,
      profile.accountInfo.name,
    );
    await expect.poll(() => inView(statusOf(page, "amazon_ads"))).toBe(true);

    // The SP-API section still shows what was saved before.
    await expectEditable(field(page, "Amazon SP-API", "Client ID"), SP.client_id);
    await expectLocked(field(page, "Amazon SP-API", "Client secret"), masked(SP.client_secret));
    await expectLocked(field(page, "Amazon SP-API", "Refresh token"), masked(SP.refresh_token));
    await expectEditable(field(page, "Amazon SP-API", "Marketplace ID"), SP.marketplace_id);
  });

  it("finds a profile of another region in its own region, refuses an unknown one, and a reload shows the saved profile", async () => {
    const { page } = browser();
    const ads = section(page, "Amazon Ads API");
    const profileInput = field(page, "Amazon Ads API", "Profile ID");
    expect(await profileInput.isEditable()).toBe(true);
    await profileInput.fill(NA_PROFILE_ID);
    expect(await field(page, "Amazon Ads API", "Region").inputValue()).toBe("EU");
    await ads.getByRole("button", { name: "Test connection" }).click();
    // Each profile is called on its own region's host: the NA profile is found there.
    await expectText(statusOf(page, "amazon_ads"), `${NA_PROFILE_ID} (US)`);
    expect(await statusOf(page, "amazon_ads").getAttribute("class")).not.toContain("bad");

    await profileInput.fill("999999999999999");
    await ads.getByRole("button", { name: "Test connection" }).click();
    await expectText(statusOf(page, "amazon_ads"), "999999999999999", "not among the profiles");
    expect(await statusOf(page, "amazon_ads").getAttribute("class")).toContain("bad");
    await ads.screenshot({ path: path.join(RESULTS_DIR, "settings-unknown-profile.png") });

    // Tested, never saved.
    await reload(page);
    await expectEditable(profileInput, ADS.profile_id);
  });

  it("shows a field error for a malformed Client ID and saves nothing", async () => {
    const { page } = browser();
    const before = await settingsRows();
    const ads = section(page, "Amazon Ads API");
    const clientId = field(page, "Amazon Ads API", "Client ID");
    await clientId.fill("nonsense");
    await ads.getByRole("button", { name: "Save" }).click();

    await expectText(page.locator("#amazon_ads-client_id-error"), "amzn1.application-oa2-client");
    expect(await clientId.getAttribute("aria-invalid")).toBe("true");
    expect(await statusOf(page, "amazon_ads").getAttribute("class")).toContain("bad");
    expect(await settingsRows()).toEqual(before);
    await ads.screenshot({ path: path.join(RESULTS_DIR, "settings-field-error.png") });

    await reload(page);
    await expectEditable(clientId, ADS.client_id);
  });

  it("Save with nothing changed says so, and stores nothing", async () => {
    const { page } = browser();
    const before = await settingsRows();
    await section(page, "Amazon Ads API").getByRole("button", { name: "Save" }).click();
    await expectText(statusOf(page, "amazon_ads"), "Nothing changed");
    expect(await statusOf(page, "amazon_ads").getAttribute("class")).toContain("ok");
    // Unlocked and left empty, a saved secret is to be removed: the page says so, and a required one is
    // refused with its field named; nothing is stored.
    const sp = section(page, "Amazon SP-API");
    await sp.getByRole("button", { name: "Edit Client secret" }).click();
    await expectText(
      page.getByTestId("amazon-client_secret-remove"),
      "Left empty, Save removes the saved client secret",
    );
    await sp.getByRole("button", { name: "Save" }).click();
    await expectText(page.locator("#amazon-client_secret-error"), "Client secret is required");
    expect(await settingsRows()).toEqual(before);
    await reload(page);
  });

  it("a cleared identifier says it is required instead of keeping the old value", async () => {
    const { page } = browser();
    const before = await settingsRows();
    const ads = section(page, "Amazon Ads API");
    // (A cleared Ads Client ID alone is valid: the organisation then signs in with the server's app.)
    await field(page, "Amazon Ads API", "Profile ID").fill("");
    await ads.getByRole("button", { name: "Save" }).click();
    await expectText(
      page.locator("#amazon_ads-profile_id-error"),
      "Profile ID is required unless every profile is synced",
    );
    expect(await statusOf(page, "amazon_ads").getAttribute("class")).toContain("bad");
    expect(await settingsRows()).toEqual(before);

    await reload(page);
    await expectEditable(field(page, "Amazon Ads API", "Client ID"), ADS.client_id);
    await expectEditable(field(page, "Amazon Ads API", "Profile ID"), ADS.profile_id);
  });

  it("names the organisation, and says on the page what Connect with Amazon needs", async () => {
    const { page } = browser();
    await expectText(page.locator("h1"), `Settings — ${ADMIN.organisation}`);
    expect(await currentText(page.locator("h1"))).not.toContain("organisation 1");
    // The organisation saved an app of its own (and this server has none): the page says Connect uses it.
    await expectText(
      page.getByTestId("amazon_ads-connect-help"),
      "Connect with Amazon uses your own Login with Amazon app (the Client ID above).",
      "Refresh token is fetched and saved",
    );
    expect(await page.getByTestId("amazon_ads-connect-help").isVisible()).toBe(true);
    await page.getByRole("tab", { name: "Organisation" }).click();
    await expectText(page.getByRole("main"), `signed in to ${ADMIN.organisation} (organisation 1)`);
    await page.getByRole("tab", { name: "Amazon" }).click();
  });

  it("has a favicon: /favicon.ico answers with an icon, and the page links it", async () => {
    const { page } = browser();
    const response = await fetch(`${appUrl}/favicon.ico`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^image\//);
    const bytes = new Uint8Array(await response.arrayBuffer());
    expect([...bytes.slice(0, 4)]).toEqual([0, 0, 1, 0]); // an ICO file
    const href = await page.locator('head link[rel="icon"]').first().getAttribute("href");
    expect(href).toMatch(/^\/favicon\.ico/);
    expect((await fetch(new URL(href!, appUrl))).status).toBe(200);
  });

  it("renders a clean settings page (screenshot in test-results/settings.png)", async () => {
    const { page } = browser();
    await reload(page);
    await section(page, "Amazon Ads API").getByRole("button", { name: "Test connection" }).click();
    await expectText(statusOf(page, "amazon_ads"), "Connected");
    // (Next's route announcer is an empty role=alert outside <main>: only the page's own count.)
    expect(await page.locator("main [role=alert]").count()).toBe(0);
    expect(await page.locator(".field-error").count()).toBe(0);
    // Nothing wider than the window (no horizontal scroll bar).
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    expect(overflow).toBeLessThanOrEqual(0);

    const file = path.join(RESULTS_DIR, "settings.png");
    fs.mkdirSync(RESULTS_DIR, { recursive: true });
    fs.rmSync(file, { force: true });
    await page.screenshot({ path: file, fullPage: true });
    expect(fs.statSync(file).size).toBeGreaterThan(10_000);
  });

  it("removes a saved secret on the page: Edit, leave it empty, Save (here: the Ads app's, with its Client ID cleared)", async () => {
    const { page } = browser();
    const ads = section(page, "Amazon Ads API");
    await field(page, "Amazon Ads API", "Client ID").fill("");
    await ads.getByRole("button", { name: "Edit Client secret" }).click();
    await expectText(page.getByTestId("amazon_ads-client_secret-remove"), "Save removes the saved client secret");
    const before = (await settingsRows()).amazon_ads;
    await page.evaluate(() => window.scrollTo(0, 0));
    await ads.getByRole("button", { name: "Save" }).click();
    await expectText(statusOf(page, "amazon_ads"), "Saved");
    await expect.poll(() => inView(statusOf(page, "amazon_ads"))).toBe(true);
    expect((await settingsRows()).amazon_ads).not.toBe(before);
    await reload(page);
    await expectEditable(field(page, "Amazon Ads API", "Client secret"), "");
    expect(await ads.getByRole("button", { name: "Edit Client secret" }).count()).toBe(0);
    await expectLocked(field(page, "Amazon Ads API", "Refresh token"), masked(ADS.refresh_token));

    // Put the app back for whatever runs next.
    await field(page, "Amazon Ads API", "Client ID").fill(ADS.client_id);
    await field(page, "Amazon Ads API", "Client secret").fill(ADS.client_secret);
    await ads.getByRole("button", { name: "Save" }).click();
    await expectSavedConfirmation(page, "amazon_ads");
  });
});
