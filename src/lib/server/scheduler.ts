import fs from "node:fs";
import path from "node:path";
import { Cron } from "croner";
import { z } from "zod";
import { env } from "../env";
import { logError, logInfo, logWarn } from "../log";
import { parseOptionalOrgId } from "../orgs/org-id";
import { cronJobForPath, type CronJob } from "./cron-jobs";

// Runs vercel.json's crons in-process when the app is not on Vercel. vercel.json stays the one
// source of truth for what runs when.

const vercelJsonSchema = z.object({ crons: z.array(z.object({ path: z.string(), schedule: z.string() })).default([]) });

export interface ScheduledJob {
  name: string;
  job: CronJob;
  orgId: number | null;
  schedule: string;
}

export function readSchedule(vercelJsonPath = path.join(process.cwd(), "vercel.json")): ScheduledJob[] {
  // Read at run time on purpose (the file is the schedule's one source of truth); not a bundle input.
  const parsed = vercelJsonSchema.parse(JSON.parse(fs.readFileSync(/*turbopackIgnore: true*/ vercelJsonPath, "utf8")));
  const jobs: ScheduledJob[] = [];
  for (const cron of parsed.crons) {
    const url = new URL(cron.path, "http://local");
    const job = cronJobForPath(url.pathname);
    if (!job) {
      logWarn(`[scheduler] ${cron.path} in vercel.json is not a job this app knows; skipped`);
      continue;
    }
    const orgId = parseOptionalOrgId(url.searchParams.get("orgId"));
    jobs.push({ name: `${job}${orgId ? ` org ${orgId}` : ""}`, job, orgId, schedule: cron.schedule });
  }
  return jobs;
}

/**
 * One croner job per vercel.json cron (UTC, like Vercel). A run still going when the next tick
 * comes is skipped and logged (croner's `protect`); errors are logged, never crash the server.
 * Off (null) on Vercel, which calls the routes itself, and with LOCAL_SCHEDULER=off.
 */
export function startLocalScheduler(
  run: (job: ScheduledJob) => Promise<unknown>,
  options: { vercelJsonPath?: string } = {},
) {
  const { LOCAL_SCHEDULER, VERCEL } = env();
  if (LOCAL_SCHEDULER === "off" || VERCEL) return null;
  const crons = readSchedule(options.vercelJsonPath).map((job) => {
    const cron = new Cron(
      job.schedule,
      {
        timezone: "UTC",
        // croner wants unique names, and one job may run at several times of day (the collects).
        name: `${job.name} @ ${job.schedule}`,
        protect: () => logWarn(`[scheduler] ${job.name}: the previous run is still going; this tick is skipped`),
        catch: (error) => logError(`[scheduler] ${job.name} failed`, error),
        unref: true,
      },
      async () => {
        logInfo(`[scheduler] ${job.name}: starting`);
        await run(job);
        logInfo(`[scheduler] ${job.name}: finished`);
      },
    );
    return { ...job, cron };
  });
  logInfo(
    `[scheduler] running ${crons.length} job(s) from vercel.json in-process: ${crons.map((c) => `${c.name} "${c.schedule}" UTC`).join(", ")}`,
  );
  return {
    jobs: crons.map(({ cron, ...job }) => ({ ...job, nextRun: () => cron.nextRun() })),
    stop: () => crons.forEach((c) => c.cron.stop()),
  };
}
