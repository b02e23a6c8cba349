/**
 * The Amazon Ads spCampaigns sync: the public surface the spec names (`lib/amazon-ads.ts`). Routes,
 * the CLI, the scheduler and the demo import from here, never from the folders behind it:
 *   amazon-ads/api/          talking to the Ads API (client with token, retries, profiles, report requests)
 *   amazon-ads/report-file/  reading a report file (fetch, gunzip, parse, validate)
 *   amazon-ads/plan/         what to ask for and when (lookback dates, retry schedule, profile selection)
 *   amazon-ads/storage/      rows into amazon_sp_ads (upsert, COPY staging, restated days, one report's ingest)
 *   amazon-ads/queue/        every state change of the two queue tables (phase-1 units, pending reports): enqueue, claim, retry, finish, clean up
 *   amazon-ads/reporting/    what a run and the data say (summaries, error descriptions, sync_logs, status, verify)
 *   amazon-ads/sync/         the steps of a unit (one profile's requests, one report's poll and load)
 *   amazon-ads/connect/      "Connect with Amazon": the authorization-code flow that fetches the refresh token
 *   amazon-ads/work/         the one engine: units claimed in Postgres, workers, the cron dispatch, one organisation's run, backfill
 */
export { AdsClient } from "./amazon-ads/api/client";
export { connectRedirectUri, finishAmazonConnect, startAmazonConnect } from "./amazon-ads/connect/connect";
export { backfill } from "./amazon-ads/work/backfill";
export { collectReports, requestBackfill, requestReports, runJob, type Job } from "./amazon-ads/work/org-run";
export { statusReport, type StatusReport } from "./amazon-ads/reporting/status";
export { verifyData, type VerifyReport } from "./amazon-ads/reporting/verify";
export type { OrganisationResult, PhaseSummary, SyncRun, WorkerRun } from "./amazon-ads/reporting/summary";
export { testAdsConnection } from "./amazon-ads/test-connection";
export { operatorAppInfo, withAdsApp, type AdsCredentials } from "./amazon-ads/api/ads-app";
export { runCronJob } from "./amazon-ads/work/run-cron-job";
export { workerResult, dispatch } from "./amazon-ads/work/dispatch";
export { cleanUpFinishedWork, enqueueDailyRequests } from "./amazon-ads/queue/request-units";
export { runWorker } from "./amazon-ads/work/worker";
export { DEFAULT_WORKER, type WorkerOptions } from "./amazon-ads/work/worker-options";
