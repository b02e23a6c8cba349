import { runJob, type Job } from "../amazon-ads";
import { parseOptionalOrgId } from "../orgs/org-id";
import { assertCronAuthorized } from "./cron-auth";
import { route } from "./handler";

/** HTTP status of a run: a run with any failed organisation answers non-2xx so the cron dashboard shows it. */
const STATUS_OF_RUN = { success: 200, partial: 207, error: 502 } as const;

/** The shape of every cron route: authorise, run the phase, answer with the summary. */
export function cronRoute(job: Job) {
  return route(async (request) => {
    assertCronAuthorized(request);
    const orgId = parseOptionalOrgId(new URL(request.url).searchParams.get("orgId"));
    const run = await runJob(job, orgId);
    return Response.json(run, { status: STATUS_OF_RUN[run.status] });
  });
}
