import { eq, sql, type SQL } from "drizzle-orm";
import type { DbOrTx } from "../../db";
import { amazonAdsClientBackoff as b } from "../../db/schema";
import type { CallMeter } from "../api/client";
import { backOffClient, slotsInUse, type ClientLimits } from "./claim";

/**
 * A client key's adaptive limit of calls at once, shared through Postgres. Amazon's limits are dynamic and
 * undocumented, so it is found as TCP finds capacity: additive increase while calls succeed at the limit,
 * halved on a 429 (once per burst), within [1, max]. Retry-After (at most 10 min) holds the key back.
 */

const MAX_RETRY_AFTER_MS = 10 * 60_000;
const CUT_FACTOR = 0.5;

/** A finished unit's lesson: a 429 halves the limit; success raises it, only if the key used its whole limit. */
export async function learnFromUnit(
  db: DbOrTx,
  clientKey: string,
  meter: CallMeter,
  heldSlots: number,
  limits: ClientLimits,
): Promise<void> {
  if (meter.answered429 > 0) {
    const [row] = await db.select({ concurrency: b.concurrency }).from(b).where(eq(b.clientKey, clientKey));
    const before = Math.max(1, Math.min(limits.max, row?.concurrency ?? limits.start));
    await cutLimit(db, clientKey, limits, meter);
    // 429s that outlasted the retries at one call at a time: only then the whole key pauses (on the
    // operator's app, every organisation of the region).
    if (meter.gaveUp429 > 0 && before <= 1) await backOffClient(db, clientKey);
  } else if (meter.succeeded > 0) await raiseLimit(db, clientKey, heldSlots, limits);
}

/** Halves the limit, unless a cut since its first throttled call was sent already answered this burst. */
async function cutLimit(db: DbOrTx, clientKey: string, limits: ClientLimits, meter: CallMeter) {
  const retryAfterMs = Math.min(meter.retryAfterMs ?? 0, MAX_RETRY_AFTER_MS);
  const wait = sql`make_interval(secs => ${retryAfterMs / 1000})`;
  const current = sql`coalesce(${b.concurrency}, ${limits.start})`;
  const sentAt = new Date(meter.first429SentAt ?? Date.now()).toISOString();
  const fresh = sql`(${b.cutAt} is null or ${b.cutAt} < ${sentAt}::timestamptz)`;
  await db
    .insert(b)
    .values({
      clientKey,
      until: sql`now() + ${wait}`,
      concurrency: Math.max(1, Math.min(limits.max, limits.start) * CUT_FACTOR),
      cutAt: sql`now()`,
    })
    .onConflictDoUpdate({
      target: b.clientKey,
      set: {
        concurrency: sql`case when ${fresh} then greatest(1, least(${limits.max}, ${current}) * ${CUT_FACTOR}) else ${b.concurrency} end`,
        cutAt: sql`case when ${fresh} then now() else ${b.cutAt} end`,
        // Without a Retry-After the backoff (if any) stays as it is: quiet time still resets its strikes.
        ...(retryAfterMs > 0 && { until: sql`greatest(${b.until}, now() + ${wait})` }),
      },
    });
}

async function raiseLimit(db: DbOrTx, clientKey: string, heldSlots: number, limits: ClientLimits) {
  const raised = (current: SQL) => sql`least(${limits.max}, ${current} + 1.0 / greatest(1, floor(${current})))`;
  // This unit's slots are free again by now (its lease ended with it), so they count as in use here.
  const atLimit = (current: SQL) => sql`${slotsInUse(sql`${clientKey}`)} + ${heldSlots} >= floor(${current})`;
  const start = sql`least(${limits.max}, ${limits.start}::double precision)`;
  const current = sql`least(${limits.max}, coalesce(${b.concurrency}, ${limits.start}))`;
  await db
    .insert(b)
    .values({ clientKey, until: sql`now()`, concurrency: sql`case when ${atLimit(start)} then ${raised(start)} end` })
    .onConflictDoUpdate({ target: b.clientKey, set: { concurrency: raised(current) }, setWhere: atLimit(current) });
}
