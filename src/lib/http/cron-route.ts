import { runJob, parseOrgIdParam, type Job } from "../amazon-ads/sync/run";
import { assertCronAuthorized } from "./cron-auth";
import { route } from "./handler";

/**
 * The shape of every cron route: authorise, run the phase, answer with the summary. A run with
 * any failed organisation answers 502 so the cron dashboard shows it failed.
 */
export function cronRoute(job: Job) {
  return route(async (request) => {
    assertCronAuthorized(request);
    const orgId = parseOrgIdParam(new URL(request.url).searchParams.get("orgId"));
    const run = await runJob(job, orgId);
    return Response.json(run, { status: run.status === "success" ? 200 : run.status === "partial" ? 207 : 502 });
  });
}
