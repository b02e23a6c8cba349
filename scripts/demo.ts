// `npm run demo`: the whole sync, end to end, with no Amazon account and no configuration.
// Starts the Amazon simulator, uses a fresh embedded PGlite in .data/demo, creates organisation 1
// with simulator credentials, runs phase 1 and phase 2 through the same code as the crons, and
// prints what landed. Safe to run again: it starts from an empty folder each time.
import fs from "node:fs";
import path from "node:path";
import { sql } from "drizzle-orm";
import { SIM_DEFAULTS, startSimulator } from "../tools/amazon-ads-simulator/index";

const dataDir = path.resolve(process.env.DEMO_DATA_DIR ?? ".data/demo");
fs.rmSync(dataDir, { recursive: true, force: true });
// Before any app module reads the environment.
delete process.env.DATABASE_URL;
process.env.DATA_DIR = dataDir;
process.env.PGLITE_DIR = path.join(dataDir, "pglite");

const sim = await startSimulator({ quiet: true });
process.env.AMAZON_ADS_TOKEN_URL = sim.tokenUrl;
process.env.AMAZON_ADS_API_URL_EU = sim.apiUrl.EU;
process.env.AMAZON_ADS_API_URL_NA = sim.apiUrl.NA;
process.env.AMAZON_ADS_API_URL_FE = sim.apiUrl.FE;

const { closeDb, getDb } = await import("../src/lib/db");
const { setupFirstAdmin } = await import("../src/lib/orgs/accounts");
const { saveAmazonAdsSettings } = await import("../src/lib/settings");
const { runJob, statusReport } = await import("../src/lib/amazon-ads");
const { formatHistory, formatRun, formatStatus, table } = await import("./lib/print");

const started = Date.now();
let exitCode = 0;
try {
  console.log(
    `Amazon Ads simulator on ${sim.baseUrl}; embedded PGlite in ${path.relative(process.cwd(), dataDir)}/pglite\n`,
  );
  const db = await getDb();
  await setupFirstAdmin({
    email: "demo@example.com",
    password: "demo-password-123",
    organisationName: "Demo organisation",
  });
  await saveAmazonAdsSettings(1, {
    client_id: SIM_DEFAULTS.clientId,
    client_secret: SIM_DEFAULTS.clientSecret,
    refresh_token: SIM_DEFAULTS.refreshToken,
    profile_id: SIM_DEFAULTS.profileId,
    region: "EU",
  });
  console.log(
    `Organisation 1 with Ads credentials for profile ${SIM_DEFAULTS.profileId} (${SIM_DEFAULTS.profile.countryCode}, ${SIM_DEFAULTS.profile.timezone}).\n`,
  );

  console.log("== Phase 1: request (what GET /api/cron/amazon-ads-request?orgId=1 runs)");
  const requested = await runJob("request", 1);
  console.log(formatRun(requested), "\n");
  // A profile seen for the first time also gets its past days (AMAZON_ADS_HISTORY_DAYS, 95 by default):
  // range reports the same run created after the five lookbacks, loaded by the same collect.
  console.log(formatHistory((await statusReport(1)).history), "\n");

  console.log("== Phase 2: collect (what GET /api/cron/amazon-ads-collect?orgId=1 runs)");
  const collected = await runJob("collect", 1, { collect: { pollDelaysMs: [1_000], budgetMs: 60_000 } });
  console.log(formatRun(collected), "\n");

  console.log(formatStatus(await statusReport(1)), "\n");

  const sample = (await db.execute(sql`
    select date::text, campaign_id::text, campaign_name, impressions::text, clicks::text, cost::text, sales_14d::text, click_through_rate::text, top_of_search_impression_share::text
    from amazon_sp_ads order by campaign_id desc, date desc limit 5`)) as unknown as {
    rows: Array<Record<string, string | null>>;
  };
  console.log("A few rows of amazon_sp_ads (the first campaign id is above 2^53, stored exactly)");
  console.log(
    table(
      ["date", "campaign_id", "campaign_name", "impr", "clicks", "cost", "sales_14d", "ctr", "tos_share"],
      sample.rows.map((r) => Object.values(r)),
    ),
  );
  if (requested.status !== "success" || collected.status !== "success") exitCode = 1;
  console.log(
    `\nDemo finished in ${((Date.now() - started) / 1000).toFixed(1)} s (${collected.status}). Sign-in for \`npm run dev\` with PGLITE_DIR=${path.relative(process.cwd(), dataDir)}/pglite DATA_DIR=${path.relative(process.cwd(), dataDir)}: demo@example.com / demo-password-123`,
  );
} catch (error) {
  console.error(`Demo failed: ${(error as Error).message}`);
  exitCode = 1;
} finally {
  await closeDb();
  await sim.close();
}
process.exit(exitCode);
