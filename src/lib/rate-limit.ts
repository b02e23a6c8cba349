import crypto from "node:crypto";
import { lt, sql } from "drizzle-orm";
import { z } from "zod";
import { getDb, rowsOf, type DbOrTx } from "./db";
import { rateLimits } from "./db/schema";
import { RateLimitedError } from "./errors";

/** How many requests of one kind a key may make per window, and what the refusal says. */
export interface LimitRule {
  name: string;
  limit: number;
  windowSeconds: number;
  /** What was limited, for the 429's message ("Test connection"). */
  what: string;
}

/**
 * The limits on what costs Amazon calls or guesses a password (OWASP ASVS 2.2.1, 11.1.4). Per
 * organisation where an organisation is at stake; sign-in per client IP, and per account and IP (a
 * stranger's wrong passwords count against their own address only: they cannot lock anyone out).
 */
export const LIMITS = {
  signInPerIp: { name: "sign-in-ip", limit: 30, windowSeconds: 300, what: "sign-in attempts from this address" },
  signInFailuresPerAccount: {
    name: "sign-in-fail",
    limit: 5,
    windowSeconds: 900,
    what: "wrong passwords for this account from this address",
  },
  testConnection: { name: "test-connection", limit: 6, windowSeconds: 300, what: "Test connection" },
  connectStart: { name: "connect-start", limit: 10, windowSeconds: 600, what: "Connect with Amazon" },
  createOrganisation: { name: "create-org", limit: 5, windowSeconds: 3600, what: "new organisations" },
} satisfies Record<string, LimitRule>;

const counted = z.object({ hits: z.coerce.number(), remaining: z.coerce.number() });

/** The counter's row key: the rule and a hash of the subject (an email or address is not stored as it is). */
const keyOf = (rule: LimitRule, subject: string) =>
  `${rule.name}:${crypto.createHash("sha256").update(subject).digest("base64url").slice(0, 32)}`;

/**
 * Counts one request of `subject` against `rule`, in one statement (concurrent requests on any
 * instance count exactly); throws RateLimitedError with the seconds to wait once the window's limit
 * is used up. A new window starts when the old one has passed.
 */
export async function consume(rule: LimitRule, subject: string, db?: DbOrTx): Promise<void> {
  const hits = await count(rule, subject, 1, db);
  if (hits.hits > rule.limit) throw limited(rule, hits.remaining);
}

/** Throws RateLimitedError when `subject` has used up `rule` in this window, without counting. */
export async function check(rule: LimitRule, subject: string, db?: DbOrTx): Promise<void> {
  const hits = await count(rule, subject, 0, db);
  if (hits.hits >= rule.limit) throw limited(rule, hits.remaining);
}

/** Forgets `subject`'s count of `rule` (a right password ends its run of wrong ones). */
export async function reset(rule: LimitRule, subject: string, db?: DbOrTx): Promise<void> {
  const conn = db ?? (await getDb());
  await conn.execute(sql`delete from rate_limits where key = ${keyOf(rule, subject)}`);
}

/** Drops counters whose window ended a day ago (run by every dispatch's clean-up). */
export async function deleteExpiredLimits(db: DbOrTx): Promise<void> {
  await db.delete(rateLimits).where(lt(rateLimits.windowStart, sql`now() - interval '1 day'`));
}

async function count(rule: LimitRule, subject: string, add: 0 | 1, db?: DbOrTx) {
  const conn = db ?? (await getDb());
  const window = sql`make_interval(secs => ${rule.windowSeconds})`;
  const expired = sql`rate_limits.window_start <= now() - ${window}`;
  const result = await conn.execute(sql`
    insert into rate_limits as rate_limits (key, window_start, hits) values (${keyOf(rule, subject)}, now(), ${add})
    on conflict (key) do update set
      window_start = case when ${expired} then now() else rate_limits.window_start end,
      hits = case when ${expired} then ${add} else rate_limits.hits + ${add} end
    returning hits, extract(epoch from (window_start + ${window} - now())) as remaining`);
  return counted.parse(rowsOf(result)[0]);
}

function limited(rule: LimitRule, remainingSeconds: number): RateLimitedError {
  const wait = Math.max(1, Math.ceil(remainingSeconds));
  return new RateLimitedError(
    `Too many ${rule.what}: at most ${rule.limit} in ${rule.windowSeconds / 60} minutes. Try again in ${wait} s.`,
    wait,
  );
}
