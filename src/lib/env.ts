import { z } from "zod";

const optionalUrl = z.preprocess((v) => (v === "" ? undefined : v), z.url().optional());
const optionalString = z.preprocess((v) => (v === "" ? undefined : v), z.string().optional());

const envSchema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  DATABASE_URL: optionalString,
  /** PGlite data folder when DATABASE_URL is unset; `memory://` keeps everything in memory. */
  PGLITE_DIR: optionalString,
  /** Git-ignored folder for local state: PGlite data, generated development keys. */
  DATA_DIR: z.string().default(".data"),
  SETTINGS_ENCRYPTION_KEY: optionalString,
  BETTER_AUTH_SECRET: optionalString,
  BETTER_AUTH_URL: optionalUrl,
  CRON_SECRET: optionalString,
  ADMIN_EMAIL: optionalString,
  ADMIN_PASSWORD: optionalString,
  AMAZON_SP_TOKEN_URL: optionalUrl,
  AMAZON_ADS_TOKEN_URL: optionalUrl,
  AMAZON_ADS_API_URL: optionalUrl,
  AMAZON_ADS_API_URL_NA: optionalUrl,
  AMAZON_ADS_API_URL_EU: optionalUrl,
  AMAZON_ADS_API_URL_FE: optionalUrl,
  /** Login with Amazon's consent page ("Connect with Amazon"); per region, or one for all (the simulator). */
  AMAZON_ADS_AUTH_URL: optionalUrl,
  AMAZON_ADS_AUTH_URL_NA: optionalUrl,
  AMAZON_ADS_AUTH_URL_EU: optionalUrl,
  AMAZON_ADS_AUTH_URL_FE: optionalUrl,
  AMAZON_HTTP_TIMEOUT_MS: z.coerce.number().int().positive().default(15_000),
  /** `off` disables the in-process scheduler that runs vercel.json's crons off Vercel. */
  LOCAL_SCHEDULER: z.enum(["on", "off"]).optional(),
  /** Connections per process (node-postgres pool). Keep it small with many invocations; use a pooled URL. */
  DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(100).default(5),
  /** Worker invocations (Vercel) or in-process workers (elsewhere) one cron dispatch starts. */
  AMAZON_ADS_WORKERS: z.coerce.number().int().min(1).max(1000).default(4),
  /** Units of one LwA client id in progress at once, over every worker and machine. */
  AMAZON_ADS_CLIENT_CONCURRENCY: z.coerce.number().int().min(1).max(100).default(2),
  /** How a cron dispatch runs its workers: `http` (one invocation each; the default on Vercel) or `in-process`. */
  AMAZON_ADS_DISPATCH: z.enum(["http", "in-process"]).optional(),
  /** Base URL the dispatcher calls its worker route on (default: the cron request's own origin). */
  AMAZON_ADS_WORKER_URL: optionalUrl,
  VERCEL: optionalString,
  /** Set by Vercel: `production`, `preview` or `development`. Only production builds migrate (scripts/migrate.ts). */
  VERCEL_ENV: optionalString,
  /**
   * `1` lets a Vercel preview build migrate. Set it only on the Preview environment, together with a
   * preview DATABASE_URL: previews must never migrate the production database.
   */
  MIGRATE_ON_PREVIEW: z.preprocess((v) => (v === "" ? undefined : v), z.enum(["0", "1"]).optional()),
});

export type Env = z.infer<typeof envSchema>;

/** Parsed on every call (cheap) so tests and the CLI can change process.env between runs. */
export function env(): Env {
  const parsed = envSchema.safeParse(process.env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
    throw new Error(`Invalid environment: ${problems}`);
  }
  return parsed.data;
}

export function isProduction(): boolean {
  return env().NODE_ENV === "production";
}
