import type { IncomingMessage, ServerResponse } from "node:http";
import { authenticateScoped } from "./ads-auth";
import { delay, headerValue, mediaType, sendJson } from "./http-util";
import { buildReportFile, type ReportFile } from "./report-file";
import { presignReportUrl } from "./s3";
import { duplicateFor } from "./duplicates";
import { newReportRecord } from "./report-record";
import { generationTimeMs, timedStatus } from "./generation";
import { consumeFault, latencyMs } from "./scenario";
import { answerClientThrottle, sendTooManyRequests } from "./throttle";
import type { ReportRecord, SimulatorState } from "./state";
import type { Region } from "./types";
import { validateCreateReport } from "./validation";

// Reporting v3: POST /reporting/reports, GET and DELETE /reporting/reports/{reportId}.

export const CREATE_REQUEST_TYPE = "application/vnd.createasyncreportrequest.v3+json";
const CREATE_RESPONSE_TYPE = "application/vnd.createasyncreportresponse.v3+json";
const GET_RESPONSE_TYPE = "application/vnd.getasyncreportresponse.v3+json";
const DELETE_RESPONSE_TYPE = "application/vnd.deleteasyncreportresponse.v3+json";
export const FAILURE_REASON = "Report generation failed due to an internal error. Please retry";

const STATUS_TEXT: Record<number, string> = {
  500: "Internal Server Error",
  502: "Bad Gateway",
  503: "Service Unavailable",
  504: "Gateway Timeout",
};

function sendReportingError(response: ServerResponse, status: number, detail: string): void {
  sendJson(response, status, { code: String(status), detail });
}

/** As in the spec's GET/DELETE examples, this 404 carries a numeric code. */
function sendNotFound(response: ServerResponse): void {
  sendJson(response, 404, { code: 404, detail: "Not Found" });
}

/**
 * Answers an injected 429 or 5xx for this call when the client is in a 429 storm, is out of clientRateLimit
 * tokens, or the scenario has a fault left (a storm or the rate limit leaves the counters alone); returns true if
 * it did.
 */
function answerInjectedFault(
  state: SimulatorState,
  response: ServerResponse,
  kind: "create" | "poll",
  clientId: string,
): boolean {
  if (answerClientThrottle(state, clientId, response)) return true;
  const throttle = consumeFault(state.scenario, kind === "create" ? "create429" : "poll429");
  if (throttle) {
    sendTooManyRequests(response, throttle.retryAfterSeconds);
    return true;
  }
  const serverError = consumeFault(state.scenario, kind === "create" ? "create5xx" : "poll5xx");
  if (serverError) {
    const status = serverError.status ?? 500;
    sendReportingError(response, status, STATUS_TEXT[status] ?? "Internal Server Error");
    return true;
  }
  return false;
}

/** Accept absent, wildcard, plain JSON or the operation's own vnd type; anything else is 406 as on Amazon. */
function acceptable(request: IncomingMessage, vndType: string): boolean {
  const accept = headerValue(request, "accept");
  if (!accept) return true;
  return accept
    .split(",")
    .map((item) => mediaType(item))
    .some((type) => type === "*/*" || type === "application/*" || type === "application/json" || type === vndType);
}

function asyncReportBody(state: SimulatorState, report: ReportRecord): Record<string, unknown> {
  const download = report.status === "COMPLETED" ? presignReportUrl(state, report) : null;
  return {
    configuration: report.configuration,
    createdAt: report.createdAt,
    endDate: report.endDate,
    failureReason: report.failureReason,
    fileSize: report.status === "COMPLETED" ? (report.file?.size ?? null) : null,
    generatedAt: report.generatedAt,
    name: report.name,
    reportId: report.reportId,
    startDate: report.startDate,
    status: report.status,
    updatedAt: report.updatedAt,
    url: download?.url ?? null,
    urlExpiresAt: download?.expiresAt.toISOString() ?? null,
  };
}

export async function handleCreateReport(
  state: SimulatorState,
  request: IncomingMessage,
  response: ServerResponse,
  region: Region,
  body: string,
): Promise<void> {
  await delay(latencyMs(state.scenario.apiLatencyMs) + state.scenario.createLatencyMs, state.closing.signal);
  const caller = authenticateScoped(state, request, response, region);
  if (!caller) return;
  if (answerInjectedFault(state, response, "create", caller.clientId)) return;
  if (mediaType(headerValue(request, "content-type")) !== CREATE_REQUEST_TYPE) {
    sendReportingError(response, 415, `Unsupported Media Type. Content-Type must be ${CREATE_REQUEST_TYPE}`);
    return;
  }
  if (!acceptable(request, CREATE_RESPONSE_TYPE)) {
    sendReportingError(response, 406, "Not Acceptable");
    return;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    sendReportingError(response, 400, "Request body is not valid JSON");
    return;
  }
  const validation = validateCreateReport(parsed, state.scenario.extraInvalidColumns, state.today(caller.profileId));
  if (!validation.ok) {
    sendReportingError(response, 400, validation.detail);
    return;
  }
  const valid = validation.request;
  const duplicate = duplicateFor(state, caller.profileId, region, valid);
  if (duplicate) {
    sendReportingError(response, 425, `The Request is a duplicate of : ${duplicate.reportId}`);
    return;
  }
  const report = newReportRecord(state, caller.profileId, region, valid);
  state.addReport(report);
  sendJson(response, 200, asyncReportBody(state, report), CREATE_RESPONSE_TYPE);
}

/** Drops the file's cached bytes (it is then regenerated per download) when they would exceed the cache budget. */
function keepWithinCache(state: SimulatorState, file: ReportFile): ReportFile {
  if (!file.cached || !file.plan) return file;
  if (state.cachedReportBytes + file.cached.length > state.reportCacheBytes) return { ...file, cached: null };
  state.cachedReportBytes += file.cached.length;
  return file;
}

/** Generates the file with the data as of now (restatement version, account size) and marks the report COMPLETED. */
function complete(state: SimulatorState, report: ReportRecord): Promise<void> {
  report.completion ??= (async () => {
    const isEmpty = state.scenario.emptyDates.includes(report.startDate);
    const isCorrupt = state.scenario.corruptDates.includes(report.startDate);
    const plan = isEmpty ? null : state.planFor(report.profileId, report.startDate, report.endDate, report.shape);
    report.file = keepWithinCache(state, await buildReportFile(plan, isCorrupt));
    if (report.status === "CANCELLED") return;
    // With timed generation, Amazon's generatedAt is when the file was done, not when it was polled.
    const timed = state.scenario.generationMs;
    const doneMs = timed ? report.createdMs + generationTimeMs(report.reportId, timed) : Infinity;
    const generated = new Date(Math.min(state.now().getTime(), doneMs)).toISOString();
    report.status = "COMPLETED";
    report.generatedAt = generated;
    report.updatedAt = generated;
  })();
  return report.completion;
}

/**
 * One poll: PENDING on creation, then PROCESSING until `pollsBeforeComplete` polls were answered (or, with
 * `generationMs`, by the time since the create), then a final state.
 */
async function advance(state: SimulatorState, report: ReportRecord): Promise<void> {
  report.polls += 1;
  if (report.status !== "PENDING" && report.status !== "PROCESSING") return;
  const scenario = state.scenario;
  if (scenario.stuckDates.includes(report.startDate)) return;
  const setStatus = (status: ReportRecord["status"]): void => {
    if (report.status !== status) report.updatedAt = state.now().toISOString();
    report.status = status;
  };
  if (scenario.generationMs) {
    const timed = timedStatus(report.reportId, scenario.generationMs, state.now().getTime() - report.createdMs);
    if (timed !== "done") return setStatus(timed);
  } else if (report.polls <= scenario.pollsBeforeComplete) {
    const pollsBeforeComplete = scenario.pollsBeforeComplete;
    // With several waiting polls, the first half still says PENDING (queued), the rest PROCESSING.
    setStatus(
      pollsBeforeComplete >= 2 && report.polls <= Math.floor(pollsBeforeComplete / 2) ? "PENDING" : "PROCESSING",
    );
    return;
  }
  if (scenario.failDates.includes(report.startDate)) {
    setStatus("FAILED");
    report.failureReason = FAILURE_REASON;
    return;
  }
  await complete(state, report);
}

function findOwnReport(state: SimulatorState, reportId: string, profileId: string): ReportRecord | null {
  const report = state.reports.get(reportId);
  return report && report.profileId === profileId && !report.deleted ? report : null;
}

export async function handleGetReport(
  state: SimulatorState,
  request: IncomingMessage,
  response: ServerResponse,
  region: Region,
  reportId: string,
): Promise<void> {
  await delay(latencyMs(state.scenario.apiLatencyMs), state.closing.signal);
  const caller = authenticateScoped(state, request, response, region);
  if (!caller) return;
  if (answerInjectedFault(state, response, "poll", caller.clientId)) return;
  if (!acceptable(request, GET_RESPONSE_TYPE)) {
    sendReportingError(response, 406, "Not Acceptable");
    return;
  }
  const report = findOwnReport(state, reportId, caller.profileId);
  if (!report) {
    sendNotFound(response);
    return;
  }
  await advance(state, report);
  sendJson(response, 200, asyncReportBody(state, report), GET_RESPONSE_TYPE);
}

export async function handleDeleteReport(
  state: SimulatorState,
  request: IncomingMessage,
  response: ServerResponse,
  region: Region,
  reportId: string,
): Promise<void> {
  await delay(latencyMs(state.scenario.apiLatencyMs), state.closing.signal);
  const caller = authenticateScoped(state, request, response, region);
  if (!caller) return;
  if (answerClientThrottle(state, caller.clientId, response)) return;
  const report = findOwnReport(state, reportId, caller.profileId);
  if (!report) {
    sendNotFound(response);
    return;
  }
  if (report.status !== "PENDING" && report.status !== "PROCESSING") {
    sendReportingError(response, 400, `Report ${reportId} is ${report.status} and can no longer be deleted`);
    return;
  }
  report.status = "CANCELLED";
  report.deleted = true;
  report.updatedAt = state.now().toISOString();
  sendJson(response, 200, { code: "200", detail: "Report deleted", reportId }, DELETE_RESPONSE_TYPE);
}
