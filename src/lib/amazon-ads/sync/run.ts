import { MissingCredentialsError, NotFoundError } from "../../errors";
import { logError } from "../../log";
import { orgIdsWithSetting } from "../../settings/store";
import { rollUp } from "../../sync-logs";
import { collectReports, type CollectOptions } from "./collect-phase";
import { describeError } from "../reporting/describe-error";
import { requestReports, type RequestOptions } from "./request-phase";
import { emptySummary, type PhaseSummary } from "../reporting/summary";

export type Job = "request" | "collect";

export interface JobRun {
  job: Job | "backfill";
  status: "success" | "partial" | "error";
  organisations: PhaseSummary[];
}

/** The run of several organisations' summaries, with the one roll-up of their statuses. */
export function toJobRun(job: JobRun["job"], organisations: PhaseSummary[]): JobRun {
  return { job, status: rollUp(organisations.map((o) => o.status)), organisations };
}

/** Organisations a run covers: the one asked for, or every organisation with Ads credentials. */
export async function organisationsFor(orgId: number | null): Promise<number[]> {
  return orgId === null ? orgIdsWithSetting("amazon_ads") : [orgId];
}

/**
 * Runs one phase for one org, or for every org with Ads credentials, each isolated: one org's
 * failure never stops the others. For one named org, an unknown org or one without credentials is
 * thrown (the caller's mistake); for "every org" such an org is logged and skipped.
 */
export async function runJob(
  job: Job,
  orgId: number | null,
  options: { request?: RequestOptions; collect?: CollectOptions } = {},
): Promise<JobRun> {
  const organisations: PhaseSummary[] = [];
  for (const id of await organisationsFor(orgId)) {
    try {
      organisations.push(
        job === "request" ? await requestReports(id, options.request) : await collectReports(id, options.collect),
      );
    } catch (error) {
      if (orgId !== null && (error instanceof NotFoundError || error instanceof MissingCredentialsError)) throw error;
      logError(`[amazon-ads] ${job} for org ${id} failed`, error);
      const message = describeError(error);
      organisations.push({ ...emptySummary(id, job), status: "error", message });
    }
  }
  return toJobRun(job, organisations);
}
