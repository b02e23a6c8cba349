// `npm run ads -- <command>`: the operator's CLI over the same functions the cron routes call.
import { parseArgs } from "node:util";
import {
  backfill,
  cleanUpFinishedWork,
  enqueueDailyRequests,
  isAmazonError,
  runJob,
  runWorker,
  syncStatus,
  verifyData,
  type JobRun,
} from "../src/lib/amazon-ads";
import { closeDb, getDb, getDbHandle } from "../src/lib/db";
import { DataFolderLockedError } from "../src/lib/db/pglite-lock";
import { ConflictError, InvalidInputError, NotFoundError } from "../src/lib/errors";
import { createOrganisationWithAdmin, listMembers, listOrganisations, setMember } from "../src/lib/orgs/admin";
import { parseOrgId } from "../src/lib/orgs/org-id";
import { organisationExists } from "../src/lib/orgs/orgs";
import { formatMembers, formatOrganisations, formatRun, formatStatus, formatWorker } from "./lib/print";
import { formatVerify } from "./lib/print-verify";

const HELP = `Usage: npm run ads -- <command> [options]

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
                          A password of "-" is read from stdin (keeps it out of shell history)

Options
  --org N                 One organisation (default: every organisation with Ads credentials)
  --json                  Print the same JSON the cron routes answer with
  --budget SECONDS        collect, worker: stop starting new work after this long (default 240)
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
      workers: { type: "string" },
      from: { type: "string" },
      to: { type: "string" },
      collect: { type: "boolean", default: false },
      profile: { type: "string" },
      name: { type: "string" },
      email: { type: "string" },
      role: { type: "string" },
      password: { type: "string" },
      "admin-email": { type: "string" },
      "admin-password": { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  const command = positionals[0];
  if (values.help || !command) {
    console.log(HELP);
    return values.help ? 0 : 2;
  }
  if (positionals.length > 1 && command !== "org") throw new UsageError(`Unexpected argument "${positionals[1]}"`);
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
    case "queue": {
      const queued = await enqueueDailyRequests(await getDb(), { orgIds: orgId === null ? undefined : [orgId] });
      console.log(
        values.json
          ? JSON.stringify(queued)
          : `Queued today's phase 1 for ${queued.queued} organisation(s) (${queued.organisations - queued.queued} already queued).`,
      );
      return 0;
    }
    case "worker": {
      const count = values.workers === undefined ? 1 : parsePositive(values.workers, "--workers");
      const stop = new AbortController();
      for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => stop.abort());
      const runs = await Promise.all(Array.from({ length: count }, () => runWorker({ budgetMs, signal: stop.signal })));
      await cleanUpFinishedWork(await getDb());
      console.log(values.json ? JSON.stringify(runs, null, 2) : runs.map(formatWorker).join("\n"));
      return runs.every((r) => r.status === "success") ? 0 : 1;
    }
    case "status": {
      // Like every other command: an organisation that does not exist is the operator's mistake (exit 2).
      if (orgId !== null && !(await organisationExists(orgId)))
        throw new NotFoundError(`Organisation ${orgId} does not exist`);
      const status = await syncStatus(orgId);
      console.log(values.json ? JSON.stringify(status, null, 2) : formatStatus(status));
      return 0;
    }
    case "verify": {
      if (orgId !== null && !(await organisationExists(orgId)))
        throw new NotFoundError(`Organisation ${orgId} does not exist`);
      const report = await verifyData({ orgId, profileId: values.profile, from: values.from, to: values.to });
      console.log(values.json ? JSON.stringify(report, null, 2) : formatVerify(report));
      return report.flagged === 0 ? 0 : 1;
    }
    case "backfill": {
      if (!values.from || !values.to)
        throw new InvalidInputError("backfill needs --from YYYY-MM-DD and --to YYYY-MM-DD");
      const run = await backfill(orgId, {
        from: values.from,
        to: values.to,
        collect: values.collect,
        profileIds: values.profile === undefined ? undefined : [values.profile],
        onProgress: (org, done, total) =>
          process.stderr.write(`\r[backfill] org ${org}: ${done}/${total} profile(s) requested`),
      });
      process.stderr.write("\n");
      print(run);
      if (!values.collect && run.status !== "error") {
        console.log("Queued. They load with the next collect (npm run ads -- collect, or the scheduled one).");
      }
      return exitFor(run);
    }
    case "org":
      return orgCommand(positionals.slice(1), values, orgId);
    default:
      throw new UsageError(`Unknown command "${command}"`);
  }
}

type OrgOptions = Partial<Record<"name" | "email" | "role" | "password" | "admin-email" | "admin-password", string>> & {
  json: boolean;
};

/** `org list | add | member`. The CLI is the operator (it has the database), so no session or role is checked. */
async function orgCommand(args: string[], values: OrgOptions, orgId: number | null): Promise<number> {
  const [sub, ...extra] = args;
  // Not echoed: a stray value is as likely a password typed without its option.
  if (extra.length > 0)
    throw new UsageError(
      `"org ${sub}" takes no further arguments; give each value with its option (--name, --email, …)`,
    );
  const print = (json: unknown, text: string) => console.log(values.json ? JSON.stringify(json, null, 2) : text);
  switch (sub) {
    case "list": {
      if (orgId === null) {
        const orgs = await listOrganisations();
        print(orgs, formatOrganisations(orgs));
      } else {
        const members = await listMembers(orgId);
        print({ orgId, members }, formatMembers(members));
      }
      return 0;
    }
    case "add": {
      if (values.name === undefined || values["admin-email"] === undefined)
        throw new UsageError("org add needs --name NAME and --admin-email EMAIL");
      const created = await createOrganisationWithAdmin({
        name: values.name,
        adminEmail: values["admin-email"],
        adminPassword: await passwordOption(values["admin-password"]),
      });
      print(
        created,
        `Created organisation ${created.orgId} "${created.name}" with admin ${created.admin.email} ` +
          (created.admin.userCreated ? "(new user)." : "(existing user; password unchanged)."),
      );
      return 0;
    }
    case "member": {
      if (orgId === null || values.email === undefined || values.role === undefined)
        throw new UsageError("org member needs --org N, --email EMAIL and --role admin|member");
      const result = await setMember(orgId, {
        email: values.email,
        role: values.role as "admin" | "member", // setMember validates it
        password: await passwordOption(values.password),
      });
      const who = `${result.email}${result.userCreated ? " (new user)" : ""}`;
      const where = `organisation ${result.orgId} "${result.orgName}"`;
      print(
        result,
        result.membership === "added"
          ? `Added ${who} to ${where} as ${result.role}.`
          : result.membership === "updated"
            ? `Changed ${who} in ${where} from ${result.previousRole} to ${result.role}.`
            : `${who} already is ${result.role} of ${where}; nothing changed.`,
      );
      return 0;
    }
    default:
      throw new UsageError(sub === undefined ? "org needs list, add or member" : `Unknown org command "${sub}"`);
  }
}

/** A password option as given, or read from stdin for "-" (then it is in no shell history or process list). */
async function passwordOption(value: string | undefined): Promise<string | undefined> {
  if (value !== "-") return value;
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks)
    .toString("utf8")
    .replace(/\r?\n$/, "");
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
// Closing must not change what the run answered: a failed close is reported, the exit code stays.
await closeDb().catch((error: unknown) =>
  console.error(`warning: closing the database failed: ${(error as Error).message}`),
);
process.exit(code);
