/**
 * The cron routes, by job: the one list the proxy (public paths), the local scheduler (which job a
 * vercel.json path runs) and the tests (every path has its route file and its vercel.json entry)
 * read. When and for which organisation they run lives only in vercel.json.
 */
export const CRON_JOB_PATHS = {
  request: "/api/cron/amazon-ads-request",
  collect: "/api/cron/amazon-ads-collect",
} as const;

export type CronJob = keyof typeof CRON_JOB_PATHS;

export function cronJobForPath(pathname: string): CronJob | null {
  const entry = Object.entries(CRON_JOB_PATHS).find(([, path]) => path === pathname);
  return entry ? (entry[0] as CronJob) : null;
}

/**
 * The worker route: not scheduled itself; a cron run on Vercel invokes it W times (work/dispatch.ts).
 * Public in the proxy like the cron routes, and refused without CRON_SECRET like them.
 */
export const WORKER_PATH = "/api/cron/amazon-ads-worker";
