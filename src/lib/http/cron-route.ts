import { workerResult, runCronJob, DEFAULT_WORKER, runWorker, type Job } from "../amazon-ads";
import { env } from "../env";
import { parseOptionalOrgId } from "../orgs/org-id";
import { WORKER_PATH } from "../server/cron-jobs";
import { assertCronAuthorized } from "./cron-auth";
import { route } from "./handler";

/** HTTP status of a run: a run with any failed organisation answers non-2xx so the cron dashboard shows it. */
const STATUS_OF_RUN = { success: 200, partial: 207, error: 502 } as const;

/**
 * The shape of every cron route: authorise, run, answer with the summary. With `orgId` the phase
 * runs for that organisation here; without, every organisation's work is dispatched to workers.
 */
export function cronRoute(job: Job) {
  return route(async (request) => {
    assertCronAuthorized(request);
    const orgId = parseOptionalOrgId(new URL(request.url).searchParams.get("orgId"));
    const workerUrl = new URL(WORKER_PATH, env().AMAZON_ADS_WORKER_URL ?? new URL(request.url).origin).toString();
    const run = await runCronJob(job, orgId, { workerUrl });
    return Response.json(run, { status: STATUS_OF_RUN[run.status] });
  });
}

/** One worker invocation: claims and works units until its budget (at most the default 240 s) ends. */
export function workerRoute() {
  return route(async (request) => {
    assertCronAuthorized(request);
    const asked = Number(new URL(request.url).searchParams.get("budgetMs"));
    const budgetMs = Number.isFinite(asked) && asked > 0 ? Math.min(asked, DEFAULT_WORKER.budgetMs) : undefined;
    const run = workerResult(await runWorker({ budgetMs }));
    return Response.json(run, { status: STATUS_OF_RUN[run.status] });
  });
}
