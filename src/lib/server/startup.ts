import { runCronJob } from "../amazon-ads";
import { env, type Env } from "../env";
import { logError, logWarn } from "../log";
import { bootstrapAdminFromEnv } from "../orgs/accounts";
import { startLocalScheduler } from "./scheduler";

const key = Symbol.for("amazon-ads-sync.scheduler");

/** Server start (instrumentation.ts): a warning about an unsafe address, headless first admin, then the local scheduler. */
export async function onServerStart(): Promise<void> {
  const insecure = insecureAuthUrlWarning(env());
  if (insecure) logWarn(insecure);
  try {
    await bootstrapAdminFromEnv();
  } catch (error) {
    logError("[bootstrap] creating the first admin from ADMIN_EMAIL/ADMIN_PASSWORD failed", error);
  }
  const holder = globalThis as Record<symbol, ReturnType<typeof startLocalScheduler> | undefined>;
  if (holder[key] === undefined) holder[key] = startLocalScheduler((job) => runCronJob(job.job, job.orgId));
}

/**
 * A production server whose BETTER_AUTH_URL is plain http (and not this machine) sends its session
 * cookies without Secure and its passwords in the clear: said at start, since nothing else would.
 */
export function insecureAuthUrlWarning(e: Pick<Env, "NODE_ENV" | "BETTER_AUTH_URL">): string | null {
  if (e.NODE_ENV !== "production" || !e.BETTER_AUTH_URL) return null;
  const url = new URL(e.BETTER_AUTH_URL);
  if (url.protocol === "https:" || ["localhost", "127.0.0.1", "[::1]"].includes(url.hostname)) return null;
  return `[config] BETTER_AUTH_URL is ${url.origin}: over plain http session cookies go without Secure and passwords unencrypted. Serve the app over https and set BETTER_AUTH_URL to its https address.`;
}
