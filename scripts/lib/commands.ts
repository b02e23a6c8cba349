// The commands of `npm run ads` (scripts/ads.ts parses and checks the arguments, then loads this).
import {
  backfill,
  cleanUpFinishedWork,
  enqueueDailyRequests,
  runJob,
  runWorker,
  statusReport,
  verifyData,
  type SyncRun,
} from "../../src/lib/amazon-ads";
import { closeDb, getDb, getDbHandle } from "../../src/lib/db";
import { NotFoundError } from "../../src/lib/errors";
import { listMembers, listOrganisations, organisationExists } from "../../src/lib/orgs/organisations";
import { formatMembers, formatOrganisations, formatRun, formatStatus, formatWorker } from "./print";
import type { Invocation } from "./invocation";
import { formatVerify } from "./print-verify";

export { closeDb };

/** Runs the command; resolves to its exit code (0, or 1 when the run failed or partly failed). */
export async function run(inv: Invocation): Promise<number> {
  const { orgId, budgetMs } = inv;
  await getDbHandle(); // fail early (and clearly) on a locked PGlite folder or an unreachable server
  const print = (run: SyncRun) => console.log(inv.json ? JSON.stringify(run, null, 2) : formatRun(run));
  const exitFor = (run: SyncRun) => (run.status === "success" ? 0 : 1);

  switch (inv.command) {
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
        inv.json
          ? JSON.stringify(queued)
          : `Queued today's phase 1 for ${queued.queued} organisation(s) (${queued.organisations - queued.queued} already queued).`,
      );
      return 0;
    }
    case "worker": {
      const stop = new AbortController();
      for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => stop.abort());
      const runs = await Promise.all(
        Array.from({ length: inv.workers }, () => runWorker({ budgetMs, signal: stop.signal })),
      );
      await cleanUpFinishedWork(await getDb());
      console.log(inv.json ? JSON.stringify(runs, null, 2) : runs.map(formatWorker).join("\n"));
      return runs.every((r) => r.status === "success") ? 0 : 1;
    }
    case "status": {
      // Like every other command: an organisation that does not exist is the operator's mistake (exit 2).
      if (orgId !== null && !(await organisationExists(orgId)))
        throw new NotFoundError(`Organisation ${orgId} does not exist`);
      const status = await statusReport(orgId);
      console.log(inv.json ? JSON.stringify(status, null, 2) : formatStatus(status));
      return 0;
    }
    case "verify": {
      if (orgId !== null && !(await organisationExists(orgId)))
        throw new NotFoundError(`Organisation ${orgId} does not exist`);
      const report = await verifyData({ orgId, profileId: inv.profile, from: inv.from, to: inv.to });
      console.log(inv.json ? JSON.stringify(report, null, 2) : formatVerify(report));
      return report.flagged === 0 ? 0 : 1;
    }
    case "backfill": {
      const run = await backfill(orgId, {
        from: inv.from!,
        to: inv.to!,
        collect: inv.collect,
        profileIds: inv.profile === undefined ? undefined : [inv.profile],
        onProgress: (org, done, total) =>
          process.stderr.write(`\r[backfill] org ${org}: ${done}/${total} profile(s) requested`),
      });
      process.stderr.write("\n");
      print(run);
      if (!inv.collect && run.status !== "error") {
        console.log("Queued. They load with the next collect (npm run ads -- collect, or the scheduled one).");
      }
      return exitFor(run);
    }
    case "org":
      return orgCommand(inv);
  }
}

/** `org list | add | member`. The CLI is the operator (it has the database), so no session or role is checked. */
async function orgCommand(inv: Invocation): Promise<number> {
  const { orgId } = inv;
  // Loaded here, not for every command: better-auth (password hashing) is a second of every CLI start.
  const { createOrganisationWithAdmin, removeMember, setMember } = await import("../../src/lib/orgs/accounts");
  const print = (json: unknown, text: string) => console.log(inv.json ? JSON.stringify(json, null, 2) : text);
  switch (inv.orgCommand) {
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
      const created = await createOrganisationWithAdmin({
        name: inv.name!,
        adminEmail: inv["admin-email"]!,
        adminPassword: await passwordOption(inv["admin-password"]),
      });
      print(
        created,
        `Created organisation ${created.orgId} "${created.name}" with admin ${created.admin.email} ` +
          (created.admin.userCreated ? "(new user)." : "(existing user; password unchanged)."),
      );
      return 0;
    }
    case "member": {
      if (inv.remove) {
        const removed = await removeMember(orgId!, { email: inv.email! });
        print(removed, `Removed ${removed.email} (${removed.previousRole}) from organisation ${removed.orgId}.`);
        return 0;
      }
      const result = await setMember(orgId!, {
        email: inv.email!,
        role: inv.role as "admin" | "member", // setMember validates it
        password: await passwordOption(inv.password),
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
      throw new Error(`org ${inv.orgCommand}: not a command (scripts/ads.ts checks them)`);
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
