import { z } from "zod";

/** An optional variable; set but empty counts as unset. */
const optional = <T extends z.ZodType>(schema: T) => z.preprocess((v) => (v === "" ? undefined : v), schema.optional());
const optionalUrl = optional(z.url());
const optionalString = optional(z.string());
const LWA_CLIENT_ID = /^amzn1\.application-oa2-client\.[A-Za-z0-9]+$/;

const envSchema = z
  .object({
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
    /** The operator's Login with Amazon app: every organisation whose settings name no app of its own uses it. */
    AMAZON_ADS_CLIENT_ID: optional(z.string().regex(LWA_CLIENT_ID, "should look like amzn1.application-oa2-client.…")),
    AMAZON_ADS_CLIENT_SECRET: optionalString,
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
    /** Worker invocations (Vercel) or in-process workers (elsewhere) one cron dispatch starts at most. */
    AMAZON_ADS_WORKERS: z.coerce.number().int().min(1).max(1000).default(4),
    /**
     * Calls at once to Amazon per LwA client id and region, over every worker and machine, before the adaptive
     * limit has learnt better (it rises while calls succeed and halves on a 429); 5 = a profile's five creates.
     */
    AMAZON_ADS_CLIENT_CONCURRENCY: z.coerce.number().int().min(1).max(100).default(5),
    /** The ceiling of that adaptive limit. */
    AMAZON_ADS_CLIENT_CONCURRENCY_MAX: z.coerce.number().int().min(1).max(500).default(25),
    /** Units one worker works on at once (they wait on Amazon most of the time); at most DATABASE_POOL_MAX − 1. */
    AMAZON_ADS_UNITS_AT_ONCE: z.coerce.number().int().min(1).max(64).default(4),
    /** Days back a new profile's history reaches (loaded once); 0 = none. Default: Amazon's retention, 95 days. */
    AMAZON_ADS_HISTORY_DAYS: z.coerce.number().int().min(0).max(95).default(95),
    /** How a cron dispatch runs its workers: `http` (one invocation each; the default on Vercel) or `in-process`. */
    AMAZON_ADS_DISPATCH: z.enum(["http", "in-process"]).optional(),
    /** Base URL the dispatcher calls its worker route on (default: the cron request's own origin). */
    AMAZON_ADS_WORKER_URL: optionalUrl,
    VERCEL: optionalString,
    /** Set by Vercel: `production`, `preview` or `development`. Only production builds migrate (scripts/migrate.ts). */
    VERCEL_ENV: optionalString,
    /** `1` lets a Vercel preview build migrate: only on Preview, with a preview DATABASE_URL, never production's. */
    MIGRATE_ON_PREVIEW: optional(z.enum(["0", "1"])),
  })
  .refine((e) => (e.AMAZON_ADS_CLIENT_ID === undefined) === (e.AMAZON_ADS_CLIENT_SECRET === undefined), {
    path: ["AMAZON_ADS_CLIENT_SECRET"],
    message: "AMAZON_ADS_CLIENT_ID and AMAZON_ADS_CLIENT_SECRET are set together (the operator's app) or not at all",
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
