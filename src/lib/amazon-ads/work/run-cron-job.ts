import type { OrganisationResult, SyncRun } from "../reporting/summary";
import { runJob, type Job } from "./org-run";
import { dispatch, type DispatchOptions } from "./dispatch";

/**
 * What a cron tick runs, on Vercel (the cron routes) and off it (the local scheduler) alike: for one
 * named organisation, its units right here (one inline worker); for every organisation, a dispatch to workers.
 */
export async function runCronJob(
  job: Job,
  orgId: number | null,
  options: DispatchOptions = {},
): Promise<SyncRun<OrganisationResult>> {
  return orgId === null ? dispatch(job, options) : runJob(job, orgId);
}
