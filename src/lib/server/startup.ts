import { runCronJob } from "../amazon-ads";
import { logError } from "../log";
import { bootstrapAdminFromEnv } from "../orgs/accounts";
import { startLocalScheduler, type LocalScheduler } from "./scheduler";

const key = Symbol.for("amazon-ads-sync.scheduler");

/** Server start (instrumentation.ts): headless first admin, then the local scheduler. */
export async function onServerStart(): Promise<void> {
  try {
    await bootstrapAdminFromEnv();
  } catch (error) {
    logError("[bootstrap] creating the first admin from ADMIN_EMAIL/ADMIN_PASSWORD failed", error);
  }
  const holder = globalThis as Record<symbol, LocalScheduler | null | undefined>;
  if (holder[key] === undefined) holder[key] = startLocalScheduler((job) => runCronJob(job.job, job.orgId));
}
