// `npm run ads -- <command>`: the operator's CLI over the same functions the cron routes call.
import { parseArgs } from "node:util";
import { backfill, isAmazonError, runJob, syncStatus, type JobRun } from "../src/lib/amazon-ads";
import { closeDb, getDbHandle } from "../src/lib/db";
import { DataFolderLockedError } from "../src/lib/db/pglite-lock";
import { ConflictError, InvalidInputError, NotFoundError } from "../src/lib/errors";
import { parseOrgId } from "../src/lib/orgs/org-id";
import { formatRun, formatStatus } from "./lib/print";

const HELP = `Usage: npm run ads -- <command> [options]

Commands
  request                 Phase 1: request the five spCampaigns reports (day-1, -3, -7, -14, -30)
  collect                 Phase 2: poll, download and upsert what is pending
  status                  Pending reports, last runs, and rows/totals per date for the last 30 days
  backfill --from D --to D
                          Request DAILY reports for a past range (within Amazon's 95-day
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
  const orgId = values.org === undefined ? null : parseOrgId(values.org, "--org");
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
    case "backfill": {
      if (!values.from || !values.to)
        throw new InvalidInputError("backfill needs --from YYYY-MM-DD and --to YYYY-MM-DD");
      const run = await backfill(orgId, {
        from: values.from,
        to: values.to,
        collect: values.collect,
        onProgress: (org, done, total) =>
          process.stderr.write(`\r[backfill] org ${org}: ${done}/${total} report(s) requested`),
      });
      process.stderr.write("\n");
      print(run);
      if (!values.collect && run.status !== "error") {
        console.log("Queued. They load with the next collect (npm run ads -- collect, or the scheduled one).");
      }
      return exitFor(run);
    }
    default:
      throw new UsageError(`Unknown command "${command}"`);
  }
}

function parsePositive(value: string, flag: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`${flag} must be a positive number`);
  return n;
}

/**
 * The one place errors become exit codes: 2 for what the operator asked (bad arguments, an unknown
 * organisation or one without Ads credentials), 3 for the database or configuration, 1 otherwise.
 */
function exitCodeFor(error: unknown): { code: number; hint?: string } {
  if (error instanceof UsageError || (error as { code?: string }).code?.startsWith("ERR_PARSE_ARGS")) {
    return { code: 2, hint: 'Run "npm run ads -- --help" for usage.' };
  }
  if (error instanceof InvalidInputError || error instanceof NotFoundError || error instanceof ConflictError)
    return { code: 2 };
  if (isAmazonError(error, "org_not_found", "no_credentials")) return { code: 2 };
  if (isAmazonError(error)) return { code: 1 };
  if (error instanceof DataFolderLockedError) {
    return {
      code: 3,
      hint: "If the app (npm run dev / npm start) is running, stop it first, or point both at PostgreSQL with DATABASE_URL.",
    };
  }
  return { code: 3 };
}

let code: number;
try {
  code = await main(process.argv.slice(2));
} catch (error) {
  const mapped = exitCodeFor(error);
  console.error(`error: ${(error as Error).message}${mapped.hint ? `\n${mapped.hint}` : ""}`);
  code = mapped.code;
}
await closeDb();
process.exit(code);
