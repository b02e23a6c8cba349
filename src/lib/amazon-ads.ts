// The Amazon Ads spCampaigns sync: the public surface the spec names (`lib/amazon-ads.ts`). Routes, the CLI,
// the scheduler and the demo import from here, never from the folders behind it (docs/architecture.md).
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
