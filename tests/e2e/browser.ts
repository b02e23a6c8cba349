import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { chromium, type BrowserContext, type Locator, type Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, expect } from "vitest";
import { CHROMIUM_PATH, RESULTS_DIR } from "./paths";

/** How long to wait for anything the page does (server round trips, hydration, the simulator). */
export const UI_TIMEOUT = 15_000;

const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export interface BrowserSession {
  context: BrowserContext;
  page: Page;
  close(): Promise<void>;
}

/** Debian's Chromium, headless, with a fresh profile directory that close() removes. */
export async function launchBrowser(): Promise<BrowserSession> {
  const profileDir = fs.mkdtempSync(path.join(os.tmpdir(), "ads-sync-e2e-chromium-"));
  const context = await chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1280, height: 900 },
  });
  context.setDefaultTimeout(UI_TIMEOUT);
  context.setDefaultNavigationTimeout(30_000);
  const page = context.pages()[0] ?? (await context.newPage());
  return {
    context,
    page,
    async close() {
      await context.close().catch(() => {});
      fs.rmSync(profileDir, { recursive: true, force: true });
    },
  };
}

/**
 * One browser for the calling test file: launched in beforeAll, closed in afterAll, and a full-page
 * screenshot in test-results/ of every failing test (named after the test).
 */
export function setupBrowser(): () => BrowserSession {
  let session: BrowserSession | undefined;
  beforeAll(async () => {
    session = await launchBrowser();
  });
  afterEach(async (context) => {
    if (!session || context.task.result?.state !== "fail") return;
    const file = path.join(RESULTS_DIR, `failed-${slug(context.task.name)}.png`);
    fs.mkdirSync(RESULTS_DIR, { recursive: true });
    await session.page.screenshot({ path: file, fullPage: true }).catch(() => {});
    console.error(`[e2e] screenshot of the failing page: ${file} (at ${session.page.url()})`);
  });
  afterAll(async () => {
    await session?.close();
  });
  return () => {
    if (!session) throw new Error("the browser has not started (beforeAll failed?)");
    return session;
  };
}

function slug(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "")
    .slice(0, 80);
}

/** The locator's current text (all matches joined, "" when none), without waiting. */
export async function currentText(locator: Locator): Promise<string> {
  return (await locator.allInnerTexts()).join("\n");
}

/** Polls until the locator's text contains every expected piece; the failure message shows the text seen. */
export async function expectText(locator: Locator, ...expected: string[]): Promise<string> {
  let seen = "";
  await expect
    .poll(
      async () => {
        seen = await currentText(locator);
        return expected.filter((piece) => !seen.includes(piece));
      },
      { timeout: UI_TIMEOUT, interval: 100 },
    )
    .toEqual([]);
  return seen;
}

/** Goes to a path of the app and waits until the page is idle (hydrated, first fetches done). */
export async function open(page: Page, appUrl: string, pathname: string): Promise<void> {
  await page.goto(appUrl + pathname, { waitUntil: "networkidle" });
}

/** On the "Create the first admin" form: fills it in by its labels, submits, and waits for /settings. */
export async function createFirstAdmin(
  page: Page,
  admin: { organisation: string; email: string; password: string },
): Promise<void> {
  await expectText(page.locator("h1"), "Create the first admin");
  await page.getByLabel("Organisation name").fill(admin.organisation);
  await page.getByLabel("Admin email").fill(admin.email);
  await page.getByLabel("Password (at least 8 characters)").fill(admin.password);
  await page.getByRole("button", { name: "Create admin and sign in" }).click();
  await page.waitForURL((u) => u.pathname === "/settings");
  await expectText(page.locator("h1"), `Settings — ${admin.organisation}`);
}

/** Whether the element is inside the window as it is scrolled now (a result a user can see). */
export function inView(locator: Locator): Promise<boolean> {
  return locator.evaluate((el) => {
    const r = el.getBoundingClientRect();
    return r.top >= 0 && r.bottom <= window.innerHeight;
  });
}
