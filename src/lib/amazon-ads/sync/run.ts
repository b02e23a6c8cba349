import { HttpError, badRequest } from "../../http/errors";
import { logError } from "../../log";
import { orgIdsWithSetting } from "../../settings/store";
import { collectReports, type CollectOptions } from "./collect-phase";
import { NoCredentialsError } from "./credentials";
import { describeError } from "./describe-error";
import { requestReports, type RequestOptions } from "./request-phase";
import type { PhaseSummary } from "./summary";

export type Job = "request" | "collect";

export interface JobRun {
  job: Job;
  status: "success" | "partial" | "error";
  organisations: PhaseSummary[];
}

/** `?orgId=` → one org id, or null for "every organisation with Ads credentials". */
export function parseOrgIdParam(value: string | null): number | null {
  if (value === null || value === "") return null;
  if (!/^[1-9]\d{0,9}$/.test(value) || Number(value) > 2_147_483_647)
    throw badRequest(`orgId must be a positive integer, not "${value.slice(0, 40)}"`);
  return Number(value);
}

/**
 * Runs one phase for one org (errors for an unknown org or missing credentials), or for every org
 * with Ads credentials, each isolated: one org's failure never stops the others.
 */
export async function runJob(
  job: Job,
  orgId: number | null,
  options: { request?: RequestOptions; collect?: CollectOptions } = {},
): Promise<JobRun> {
  const orgIds = orgId === null ? await orgIdsWithSetting("amazon_ads") : [orgId];
  const organisations: PhaseSummary[] = [];
  for (const id of orgIds) {
    try {
      organisations.push(
        job === "request" ? await requestReports(id, options.request) : await collectReports(id, options.collect),
      );
    } catch (error) {
      if (error instanceof NoCredentialsError && orgId !== null) {
        throw new HttpError(error.orgMissing ? 404 : 422, {
          error: error.orgMissing ? "not_found" : "no_credentials",
          message: error.message,
        });
      }
      logError(`[amazon-ads] ${job} for org ${id} failed`, error);
      organisations.push({
        orgId: id,
        job,
        status: "error",
        message: describeError(error),
        reports: [],
        warnings: [],
        amazonCalls: 0,
        durationMs: 0,
      });
    }
  }
  const statuses = organisations.map((o) => o.status);
  const status = statuses.every((s) => s === "success")
    ? "success"
    : statuses.every((s) => s === "error")
      ? "error"
      : "partial";
  return { job, status, organisations };
}
