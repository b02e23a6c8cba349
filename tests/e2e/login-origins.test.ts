import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createDatabase, startApp, type AppServer, type ThrowawayDatabase } from "./app-server";
import { expectText, open, setupBrowser, UI_TIMEOUT } from "./browser";
import { DEV_NAVIGATION_TIMEOUT_MS, startDevApp } from "./dev-server";

// The Sign in form on the loopback addresses. In development (`next dev`) BETTER_AUTH_URL names
// localhost, yet a developer may open 127.0.0.1: both must sign in. In production (`next start`)
// only BETTER_AUTH_URL's origin signs in, and the form says why when the server refuses.

const ADMIN = { email: "dev@e2e.example", password: "loopback sign-in pw" };
const adminEnv = { ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password };
const browser = setupBrowser();
const cleanups: Array<() => Promise<void>> = [];

afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch((e: unknown) => console.error("[cleanup]", e));
});

async function ownDatabase(prefix: string): Promise<ThrowawayDatabase> {
  const database = await createDatabase(inject("pgAdminUrl"), prefix);
  cleanups.push(database.drop);
  return database;
}

async function submitSignIn(page: Page, password: string) {
  await expectText(page.locator("h1"), "Sign in");
  await page.getByLabel("Email").fill(ADMIN.email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

describe("development (next dev, BETTER_AUTH_URL=http://localhost:<port>)", () => {
  let dev: AppServer;
  beforeAll(async () => {
    const database = await ownDatabase("ads_sync_e2e_devlogin");
    dev = await startDevApp({
      name: "e2e-dev-server-login",
      databaseUrl: database.url,
      env: (port) => ({ ...adminEnv, BETTER_AUTH_URL: `http://localhost:${port}` }),
    });
    cleanups.push(dev.stop);
    browser().page.setDefaultNavigationTimeout(DEV_NAVIGATION_TIMEOUT_MS);
  });

  it("opened on 127.0.0.1, a wrong password shows a visible error", async () => {
    const { page } = browser();
    await open(page, dev.url, "/login");
    expect(new URL(page.url()).hostname).toBe("127.0.0.1");
    await submitSignIn(page, "not the password");
    await expectText(page.getByRole("alert"), "Wrong email or password.");
    expect(new URL(page.url()).pathname).toBe("/login");
  });

  it("opened on 127.0.0.1, the right password signs in and lands on the settings", async () => {
    const { page } = browser();
    await open(page, dev.url, "/login");
    await submitSignIn(page, ADMIN.password);
    // The first visit of /settings compiles it.
    await page.waitForURL((u) => u.pathname === "/settings", { timeout: 90_000 });
    await expectText(page.locator("h1"), "Settings — Organisation 1");
    expect(new URL(page.url()).hostname).toBe("127.0.0.1");
  });
});

describe("production (next start, BETTER_AUTH_URL=http://127.0.0.1:<port>)", () => {
  let app: AppServer;
  beforeAll(async () => {
    // Cookies ignore ports: the development server's session must not ride along.
    await browser().context.clearCookies();
    browser().page.setDefaultNavigationTimeout(30_000);
    const database = await ownDatabase("ads_sync_e2e_prodlogin");
    app = await startApp({
      name: "e2e-server-login-origins",
      databaseUrl: database.url,
      amazon: { tokenUrl: inject("simTokenUrl"), apiUrl: inject("simApiUrl") },
      env: adminEnv,
    });
    cleanups.push(app.stop);
  });

  it("opened on localhost instead, the server refuses the origin and the form says so", async () => {
    const { page } = browser();
    const localhostUrl = app.url.replace("127.0.0.1", "localhost");
    await open(page, localhostUrl, "/login");
    const answer = page.waitForResponse((r) => r.url().endsWith("/api/auth/sign-in/email"));
    await submitSignIn(page, ADMIN.password);
    expect((await answer).status()).toBe(403);
    await expectText(page.getByRole("alert"), `refused sign-in from ${localhostUrl}`, "Invalid origin");
    expect(new URL(page.url()).pathname).toBe("/login");
  });

  it("until its JavaScript runs, Sign in is disabled and the form posts: a password never lands in the address", async () => {
    const page = await browser().context.newPage();
    try {
      // The page as a slow connection first shows it: the server's HTML, no script run yet.
      await page.route("**/_next/static/**/*.js", (route) => route.abort());
      await page.goto(app.url + "/login", { waitUntil: "load" });
      await expectText(page.locator("h1"), "Sign in");
      expect(await page.getByRole("button", { name: "Sign in" }).isDisabled()).toBe(true);
      expect(await page.locator("form").getAttribute("method")).toBe("post");
      await page.unroute("**/_next/static/**/*.js");
      await page.reload({ waitUntil: "networkidle" });
      await expect.poll(() => page.getByRole("button", { name: "Sign in" }).isEnabled()).toBe(true);
    } finally {
      await page.close();
    }
  });

  it("when the sign-in request never gets an answer (network failure), the form says so", async () => {
    const { page } = browser();
    await open(page, app.url, "/login");
    await page.route("**/api/auth/sign-in/email", (route) => route.abort("connectionrefused"));
    try {
      await submitSignIn(page, ADMIN.password);
      await expectText(page.getByRole("alert"), "Could not reach the server");
      await expect
        .poll(() => page.getByRole("button", { name: "Sign in" }).isEnabled(), { timeout: UI_TIMEOUT })
        .toBe(true);
    } finally {
      await page.unroute("**/api/auth/sign-in/email");
    }
  });

  it("a `next` that resolves to another host (a backslash, a tab) lands on the settings, not there", async () => {
    const { page } = browser();
    for (const next of ["/%5Cevil.example/steal", "/%09/evil.example/steal", "//evil.example/steal"]) {
      await browser().context.clearCookies();
      await open(page, app.url, `/login?next=${next}`);
      await submitSignIn(page, ADMIN.password);
      await page.waitForURL((u) => u.pathname === "/settings");
      expect(new URL(page.url()).origin, next).toBe(new URL(app.url).origin);
    }
    // A path of its own is kept.
    await browser().context.clearCookies();
    await open(page, app.url, `/login?next=${encodeURIComponent("/settings?orgId=1")}`);
    await submitSignIn(page, ADMIN.password);
    await page.waitForURL((u) => u.pathname === "/settings" && u.search === "?orgId=1");
  });

  it("on its own address (BETTER_AUTH_URL) it signs in", async () => {
    const { page } = browser();
    await open(page, app.url, "/login");
    await submitSignIn(page, ADMIN.password);
    await page.waitForURL((u) => u.pathname === "/settings");
    await expectText(page.locator("h1"), "Settings — Organisation 1");
  });

  it("answers with the security headers; its scripts run under the nonce, and no other page can frame it", async () => {
    const response = await fetch(`${app.url}/login`);
    const csp = response.headers.get("content-security-policy") ?? "";
    const nonce = /'nonce-([^']+)'/.exec(csp)?.[1];
    expect(csp).toContain(`script-src 'self' 'nonce-${nonce}' 'strict-dynamic'`);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain("unsafe-eval");
    expect(response.headers.get("x-powered-by")).toBeNull();
    expect(response.headers.get("x-frame-options")).toBe("DENY");
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
    expect(response.headers.get("referrer-policy")).toBe("no-referrer");
    // Next.js put this response's nonce on its own scripts.
    expect(await response.text()).toContain(`nonce="${nonce}"`);

    const page = await browser().context.newPage();
    const violations: string[] = [];
    page.on("console", (m) => {
      if (/Content Security Policy/i.test(m.text())) violations.push(m.text());
    });
    try {
      await page.goto(`${app.url}/login`, { waitUntil: "networkidle" });
      await expect.poll(() => page.getByRole("button", { name: "Sign in" }).isEnabled()).toBe(true);
      expect(violations).toEqual([]);
      await page.setContent(`<iframe id="framed" src="${app.url}/login"></iframe>`);
      await page.waitForTimeout(1_000);
      const framed = page.frames().find((f) => f !== page.mainFrame());
      expect(framed).toBeDefined();
      // Chromium shows its "refused to connect" page in the frame instead: no sign-in form there.
      expect(await framed!.locator("input#email").count()).toBe(0);
      expect(await framed!.getByText("refused to connect").count()).toBeGreaterThan(0);
    } finally {
      await page.close();
    }
  });

  // Last in this block: it leaves 127.0.0.1 waiting before it may try the admin's password again.
  it("a client's own X-Forwarded-For does not dodge the sign-in limit: the server counts the socket's address", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) {
      const response = await fetch(`${app.url}/api/auth/sign-in/email`, {
        method: "POST",
        headers: { "content-type": "application/json", origin: app.url, "x-forwarded-for": `10.9.${i}.1` },
        body: JSON.stringify({ email: ADMIN.email, password: `wrong ${i}` }),
      });
      statuses.push(response.status);
      if (response.status === 429) expect(Number(response.headers.get("retry-after"))).toBeGreaterThan(0);
    }
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429, 429, 429]);
  });
});
