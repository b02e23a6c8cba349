/**
 * The Amazon Ads spCampaigns sync: the public surface the spec names (`lib/amazon-ads.ts`). Routes,
 * the CLI, the scheduler and the demo import from here, never from the folders behind it:
 *   amazon-ads/api/          talking to the Ads API (client with token, retries, profiles, report requests)
 *   amazon-ads/report-file/  reading a report file (fetch, gunzip, parse, validate)
 *   amazon-ads/sync/         running the sync (request, collect, store, run, status, backfill)
 *   amazon-ads/connect/      "Connect with Amazon": the authorization-code flow that fetches the refresh token
 *   amazon-ads/work/         every organisation at scale: units claimed in Postgres, workers, the cron dispatch
 */
export { AdsClient, type AdsClientOptions, type AsyncReport } from "./amazon-ads/api/client";
export {
  connectRedirectUri,
  finishAmazonConnect,
  startAmazonConnect,
  type ConnectOutcome,
} from "./amazon-ads/connect/connect";
export { buildReportRequest, createReportWithRecovery } from "./amazon-ads/api/report-request";
export { streamReportRows, type ReportRow } from "./amazon-ads/report-file/read-report";
export { backfill, checkBackfillRange, type BackfillOptions } from "./amazon-ads/sync/backfill";
export { collectReports, DEFAULT_COLLECT, type CollectOptions } from "./amazon-ads/sync/collect-phase";
export { describeError } from "./amazon-ads/sync/describe-error";
export { requestReports, type RequestOptions } from "./amazon-ads/sync/request-phase";
export { toJobRun, runJob, type Job, type JobRun } from "./amazon-ads/sync/run";
export { statusReport, type StatusReport } from "./amazon-ads/sync/status";
export { upsertCampaignRows } from "./amazon-ads/sync/store-rows";
export { verifyData, type VerifyReport } from "./amazon-ads/sync/verify";
export type { PhaseSummary, ReportOutcome } from "./amazon-ads/sync/summary";
export { testAdsConnection } from "./amazon-ads/test-connection";
export { runCronJob } from "./amazon-ads/work/run-cron-job";
export { workerResult, dispatch, type DispatchRun, type WorkerResult } from "./amazon-ads/work/dispatch";
export { cleanUpFinishedWork, enqueueDailyRequests } from "./amazon-ads/work/enqueue";
export { runWorker, type WorkerRun } from "./amazon-ads/work/worker";
export { DEFAULT_WORKER, type WorkerOptions } from "./amazon-ads/work/worker-options";
export { AmazonError, isAmazonError, type AmazonErrorKind } from "./amazon/errors";
