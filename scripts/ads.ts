// `npm run ads -- <command>`: the operator's CLI over the same functions the cron routes call.
import { parseArgs } from "node:util";
import { collectReports } from "../src/lib/amazon-ads/sync/collect-phase";
import { addDays, daysBetween, isIsoDate, RETENTION_DAYS, splitRange, todayIn } from "../src/lib/amazon-ads/sync/dates";
import { requestReports } from "../src/lib/amazon-ads/sync/request-phase";
import { runJob, type JobRun } from "../src/lib/amazon-ads/sync/run";
import { syncStatus } from "../src/lib/amazon-ads/sync/status";
import { closeDb, getDbHandle } from "../src/lib/db";
import { DataFolderLockedError } from "../src/lib/db/pglite-lock";
import { HttpError } from "../src/lib/http/errors";
import { orgIdsWithSetting } from "../src/lib/settings/store";
import { formatRun, formatStatus } from "./lib/print";

const HELP = `Usage: npm run ads -- <command> [options]

Commands
  request                 Phase 1: request the five spCampaigns reports (day-1, -3, -7, -14, -30)
  collect                 Phase 2: poll, download and upsert what is pending
  status                  Pending reports, last runs, and rows/totals per date for the last 30 days
  backfill --from D --to D
                          Request DAILY reports for a past range (within Amazon's ${RETENTION_DAYS}-day
                          retention, up to yesterday), split into ranges of at most 31 days; the
                          normal collect loads them (add --collect to collect right away)

Options
  --org N                 One organisation (default: every organisation with Ads credentials)
  --json                  Print the same JSON the cron routes answer with
  --budget SECONDS        collect: stop starting new work after this long (default 240)
  -h, --help              This help

Exit codes: 0 success · 1 the run failed or partly failed · 2 bad arguments (an unknown organisation or one without Ads credentials too) · 3 database or configuration problem`;

class UsageError extends Error {}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      org: { type: "string" },
      json: { type: "boolean", default: false },
      budget: { type: "string" },
      from: { type: "string" },
      to: { type: "string" },
      collect: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  const command = positionals[0];
  if (values.help || !command) {
    console.log(HELP);
    return values.help ? 0 : 2;
  }
  if (positionals.length > 1) throw new UsageError(`Unexpected argument "${positionals[1]}"`);
  const orgId = values.org === undefined ? null : parseOrg(values.org);
  const budgetMs = values.budget === undefined ? undefined : parsePositive(values.budget, "--budget") * 1000;

  await getDbHandle(); // fail early (and clearly) on a locked PGlite folder or an unreachable server
  const print = (run: JobRun) => console.log(values.json ? JSON.stringify(run, null, 2) : formatRun(run));
  const exitFor = (run: JobRun) => (run.status === "success" ? 0 : 1);

  switch (command) {
    case "request": {
      const run = await runJob("request", orgId);
      print(run);
      return exitFor(run);
    }
    case "collect": {
      const run = await runJob("collect", orgId, { collect: { budgetMs } });
      print(run);
      return exitFor(run);
    }
    case "status": {
      const status = await syncStatus(orgId);
      console.log(values.json ? JSON.stringify(status, null, 2) : formatStatus(status));
      return 0;
    }
    case "backfill":
      return backfill(orgId, values.from, values.to, values.collect, values.json);
    default:
      throw new UsageError(`Unknown command "${command}"`);
  }
}

async function backfill(
  orgId: number | null,
  from: string | undefined,
  to: string | undefined,
  collect: boolean,
  json: boolean,
): Promise<number> {
  if (!from || !to) throw new UsageError("backfill needs --from YYYY-MM-DD and --to YYYY-MM-DD");
  if (!isIsoDate(from) || !isIsoDate(to)) throw new UsageError("--from and --to must be real dates written YYYY-MM-DD");
  if (daysBetween(from, to) < 0) throw new UsageError(`--from ${from} is after --to ${to}`);
  // A first check in UTC; the exact one runs in each profile's time zone below.
  checkRetention(from, to, todayIn("UTC"));
  const orgs = orgId === null ? await orgIdsWithSetting("amazon_ads") : [orgId];
  const runs: JobRun = { job: "request", status: "success", organisations: [] };
  for (const org of orgs) {
    const summary = await requestReports(org, {
      job: "backfill",
      targets: (today) => {
        checkRetention(from, to, today);
        return splitRange(from, to).map(({ start, end }) => ({
          startDate: start,
          endDate: end,
          kind: "backfill" as const,
          lookbackDays: daysBetween(end, today),
        }));
      },
      onProgress: (done, total) =>
        process.stderr.write(`\r[backfill] org ${org}: ${done}/${total} report(s) requested`),
    }).catch((error: unknown) => {
      if (error instanceof HttpError || (error as Error).name === "NoCredentialsError")
        throw new UsageError((error as Error).message);
      throw error;
    });
    process.stderr.write("\n");
    if (summary.status === "error" && /outside Amazon's/.test(summary.message))
      throw new UsageError(summary.message.replace(/^Aborted: (Error: )?/, ""));
    runs.organisations.push(summary);
  }
  if (collect) {
    for (const org of orgs) runs.organisations.push(await collectReports(org));
  }
  const statuses = runs.organisations.map((o) => o.status);
  runs.status = statuses.every((s) => s === "success")
    ? "success"
    : statuses.every((s) => s === "error")
      ? "error"
      : "partial";
  console.log(json ? JSON.stringify(runs, null, 2) : formatRun(runs));
  if (!collect && runs.status !== "error")
    console.log("Queued. They load with the next collect (npm run ads -- collect, or the scheduled one).");
  return runs.status === "success" ? 0 : 1;
}

function checkRetention(from: string, to: string, today: string) {
  const oldest = addDays(today, -RETENTION_DAYS);
  if (daysBetween(oldest, from) < 0)
    throw new UsageError(
      `--from ${from} is outside Amazon's ${RETENTION_DAYS}-day retention for spCampaigns: the oldest date Amazon still has is ${oldest}`,
    );
  if (daysBetween(to, today) < 1)
    throw new UsageError(
      `--to ${to} is outside Amazon's reporting window: the newest complete day is yesterday (${addDays(today, -1)})`,
    );
}

function parseOrg(value: string): number {
  if (!/^[1-9]\d{0,9}$/.test(value)) throw new UsageError(`--org must be a positive integer, not "${value}"`);
  return Number(value);
}

function parsePositive(value: string, flag: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`${flag} must be a positive number`);
  return n;
}

let code: number;
try {
  code = await main(process.argv.slice(2));
} catch (error) {
  if (error instanceof UsageError || (error as { code?: string }).code?.startsWith("ERR_PARSE_ARGS")) {
    console.error(`error: ${(error as Error).message}\nRun "npm run ads -- --help" for usage.`);
    code = 2;
  } else if (error instanceof HttpError) {
    console.error(`error: ${error.message}`);
    // 404/422: an unknown organisation, or one without Ads credentials: the operator's argument.
    code = [400, 404, 422].includes(error.status) ? 2 : 1;
  } else if (error instanceof DataFolderLockedError) {
    console.error(
      `error: ${error.message}\nIf the app (npm run dev / npm start) is running, stop it first, or point both at PostgreSQL with DATABASE_URL.`,
    );
    code = 3;
  } else {
    console.error(`error: ${(error as Error).message}`);
    code = 3;
  }
}
await closeDb();
process.exit(code);
