// The operator's CLI (`npm run ads`, scripts/ads.ts) without its process: arguments to an exit code,
// output on the console. Arguments are checked before the command's modules load (the database,
// Amazon, auth: a second and more), so --help and a mistyped option answer at once.
import { parseArgs } from "node:util";
import { isAmazonError } from "../../src/lib/amazon/errors";
import { DataFolderLockedError } from "../../src/lib/db/pglite-lock";
import {
  ConflictError,
  InvalidInputError,
  MissingCredentialsError,
  NotFoundError,
  UnreadableSettingError,
} from "../../src/lib/errors";
import { parseOrgId } from "../../src/lib/orgs/org-id";
import { COMMANDS, ORG_COMMANDS, type Invocation } from "./invocation";

export const HELP = `Usage: npm run ads -- <command> [options]

Commands
  request                 Phase 1: request the five spCampaigns reports (day-1, -3, -7, -14, -30)
  collect                 Phase 2: poll, download and upsert what is pending
  queue                   Queue today's phase 1 for every organisation (or --org N) without running it;
                          workers (the cron dispatch, or "worker" below) then do it
  worker [--workers N]    Run N workers here (default 1) on the shared queue until --budget ends or
                          nothing is due soon: phase-1 units, polls and loads of every organisation.
                          Start it on several machines on one PostgreSQL to split the work
  status                  Pending reports, last runs, and rows/totals per date for the last 30 days
  verify [--profile ID] [--from D --to D]
                          The account of the stored data, one line per profile and date (last 30
                          days by default, up to Amazon's 95): rows, sums, loads, restatement, and
                          flags (missing, suspect-empty, suspect-column). Exit 1 when anything is flagged
  backfill --from D --to D [--profile ID]
                          Request DAILY reports for a past range (within Amazon's 95-day
                          retention, up to yesterday), split into ranges of at most 31 days, for
                          every profile the organisation syncs or the one named; the normal
                          collect loads them (add --collect to collect right away)
  org list [--org N]      Every organisation with its members and admins (with --org: its members)
  org add --name NAME --admin-email EMAIL [--admin-password PW]
                          Create an organisation and its first admin; the password only when the
                          email has no user yet (that user is created)
  org member --org N --email EMAIL --role admin|member [--password PW]
                          Add a user to an organisation or change their role; the password only
                          when the email has no user yet. An existing user's password is never changed.
                          A password of "-" is read from stdin (keeps it out of shell history).
                          The operator adds members directly; in the app an admin invites them.
  org member --org N --email EMAIL --remove
                          Remove a member from an organisation (never its last admin); the account stays

Options
  --org N                 One organisation (default: every organisation with Ads credentials)
  --json                  Print the same JSON the cron routes answer with
  --budget SECONDS        collect, worker: stop starting new work after this long (default 240)
  -h, --help              This help

Exit codes: 0 success · 1 the run failed or partly failed · 2 bad arguments (an unknown organisation or one without Ads credentials too) · 3 database or configuration problem`;

class UsageError extends Error {}

/** The command line as an invocation, or a UsageError (exit 2) for anything malformed. */
function parseInvocation(argv: string[]): Invocation | "help" | "usage" {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      org: { type: "string" },
      json: { type: "boolean", default: false },
      budget: { type: "string" },
      workers: { type: "string" },
      from: { type: "string" },
      to: { type: "string" },
      collect: { type: "boolean", default: false },
      profile: { type: "string" },
      name: { type: "string" },
      email: { type: "string" },
      role: { type: "string" },
      password: { type: "string" },
      remove: { type: "boolean", default: false },
      "admin-email": { type: "string" },
      "admin-password": { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  const command = positionals[0];
  if (values.help) return "help";
  if (!command) return "usage";
  if (!(COMMANDS as readonly string[]).includes(command)) throw new UsageError(`Unknown command "${command}"`);
  if (positionals.length > 1 && command !== "org") throw new UsageError(`Unexpected argument "${positionals[1]}"`);
  const orgId = values.org === undefined ? null : parseOrgId(values.org, "--org");
  const budgetMs = values.budget === undefined ? undefined : parsePositive(values.budget, "--budget") * 1000;
  const workers = values.workers === undefined ? 1 : parsePositive(values.workers, "--workers");
  if (command === "backfill" && (!values.from || !values.to))
    throw new InvalidInputError("backfill needs --from YYYY-MM-DD and --to YYYY-MM-DD");
  if (command === "org") checkOrgCommand(positionals.slice(1), values, orgId);
  return {
    ...values,
    command: command as Invocation["command"],
    orgCommand: positionals[1] as Invocation["orgCommand"],
    orgId,
    budgetMs,
    workers,
  };
}

/** `org list | add | member`: what each needs, checked before anything loads. */
function checkOrgCommand(args: string[], values: Partial<Record<string, unknown>>, orgId: number | null) {
  const [sub, ...extra] = args;
  // Not echoed: a stray value is as likely a password typed without its option.
  if (extra.length > 0)
    throw new UsageError(
      `"org ${sub}" takes no further arguments; give each value with its option (--name, --email, …)`,
    );
  if (sub === undefined) throw new UsageError("org needs list, add or member");
  if (!(ORG_COMMANDS as readonly string[]).includes(sub)) throw new UsageError(`Unknown org command "${sub}"`);
  if (sub === "add" && (values.name === undefined || values["admin-email"] === undefined))
    throw new UsageError("org add needs --name NAME and --admin-email EMAIL");
  if (sub === "member" && values.remove) {
    if (orgId === null || values.email === undefined || values.role !== undefined || values.password !== undefined)
      throw new UsageError("org member --remove needs --org N and --email EMAIL (no --role or --password)");
  } else if (sub === "member" && (orgId === null || values.email === undefined || values.role === undefined))
    throw new UsageError("org member needs --org N, --email EMAIL and --role admin|member (or --remove)");
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
  if (
    error instanceof InvalidInputError ||
    error instanceof NotFoundError ||
    error instanceof ConflictError ||
    error instanceof MissingCredentialsError
  )
    return { code: 2 };
  if (isAmazonError(error) || error instanceof UnreadableSettingError) return { code: 1 };
  if (error instanceof DataFolderLockedError) {
    return {
      code: 3,
      hint:
        "If the app (npm run dev / npm start) is running, stop it first, or point both at PostgreSQL with DATABASE_URL. " +
        "Beside npm run dev:sim: stop it (Ctrl-C), start npm run simulator in its place (the same port), then run this again.",
    };
  }
  return { code: 3 };
}

let commands: typeof import("./commands") | undefined;

/** Runs the command line `argv`: what it prints goes to the console; resolves to the exit code. */
export async function runCli(argv: string[]): Promise<number> {
  try {
    const invocation = parseInvocation(argv);
    if (invocation === "help" || invocation === "usage") {
      console.log(HELP);
      return invocation === "help" ? 0 : 2;
    }
    commands = await import("./commands");
    return await commands.run(invocation);
  } catch (error) {
    const mapped = exitCodeFor(error);
    console.error(`error: ${(error as Error).message}${mapped.hint ? `\n${mapped.hint}` : ""}`);
    return mapped.code;
  }
}

/** Closes the database if a command opened it (--help and bad arguments never load it). */
export async function closeCli(): Promise<void> {
  await commands?.closeDb();
}
