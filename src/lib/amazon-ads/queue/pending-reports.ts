import { and, asc, eq, gt, inArray, isNotNull, isNull, lt, lte, or, sql } from "drizzle-orm";
import type { DbOrTx } from "../../db";
import { RETENTION_DAYS } from "../plan/dates";
import { amazonAdsPendingReports as t, type PendingReport } from "../../db/schema";

/** The claim ran out and another worker took the report: thrown inside the load's transaction, so it rolls back. */
export class LeaseLostError extends Error {
  constructor(id: number) {
    super(`Pending report ${id}: the claim ran out and another worker took it over; nothing was stored`);
  }
}

/** A report's lease given up, by its holder finishing or scheduling it. */
const released = { lockedUntil: null, leaseId: null, updatedAt: sql`now()` };

/** Rows of this report, and of this claim when a worker holds it by lease. */
const ownRow = (id: number, leaseId?: string) =>
  and(eq(t.id, id), leaseId === undefined ? undefined : eq(t.leaseId, leaseId));

/**
 * Inserts unless the same report (425 adoption) or an open request for the same range is already there; its
 * first poll `firstPollInMs` after now (poll-pacing.ts).
 */
export async function insertPendingReport(db: DbOrTx, row: typeof t.$inferInsert, firstPollInMs: number) {
  const nextPollAt = firstPollInMs ? sql`now() + make_interval(secs => ${firstPollInMs / 1000})` : undefined;
  const inserted = await db
    .insert(t)
    .values({ ...row, ...(nextPollAt ? { nextPollAt } : {}) })
    .onConflictDoNothing()
    .returning({ id: t.id });
  return inserted.length > 0;
}

/** Failed requests (of one profile when given) not asked for again yet: phase 1 retries the due ones. */
export async function failedNotRetried(db: DbOrTx, orgId: number, profileId?: string): Promise<PendingReport[]> {
  const ofProfile = profileId === undefined ? undefined : eq(t.profileId, profileId);
  return db
    .select()
    .from(t)
    .where(and(eq(t.orgId, orgId), ofProfile, eq(t.status, "failed"), isNull(t.retriedAt)))
    .orderBy(asc(t.reportDate));
}

export async function markRetried(db: DbOrTx, rows: readonly { id: number }[]) {
  const ids = rows.map((r) => r.id);
  if (ids.length)
    await db
      .update(t)
      .set({ retriedAt: sql`now()`, updatedAt: sql`now()` })
      .where(inArray(t.id, ids));
}

/** An organisation's pending reports (of one profile when given), oldest first. */
export async function pendingReports(db: DbOrTx, orgId: number, profileId?: string): Promise<PendingReport[]> {
  const ofProfile = profileId === undefined ? undefined : eq(t.profileId, profileId);
  return db
    .select()
    .from(t)
    .where(and(eq(t.orgId, orgId), ofProfile, eq(t.status, "pending")))
    .orderBy(asc(t.createdAt), asc(t.id));
}

export async function finishReport(
  db: DbOrTx,
  id: number,
  outcome: { status: "completed" | "failed"; amazonStatus?: string; error?: string | null; rowsLoaded?: number },
  leaseId?: string,
) {
  const finished = await db
    .update(t)
    .set({ ...released, ...outcome, error: outcome.error ?? null, finishedAt: sql`now()` })
    .where(ownRow(id, leaseId))
    .returning({ id: t.id });
  if (finished.length === 0 && leaseId !== undefined) throw new LeaseLostError(id);
}

/**
 * Finished requests older than 24 h that nothing depends on: completed, or failed and asked for again. A failed
 * one not yet retried is the record that its dates are missing: it stays until they leave Amazon's retention.
 */
export async function deleteFinishedReports(db: DbOrTx, orgId: number | null): Promise<number> {
  const deleted = await db
    .delete(t)
    .where(
      and(
        orgId === null ? undefined : eq(t.orgId, orgId),
        lt(t.finishedAt, sql`now() - interval '24 hours'`),
        or(
          eq(t.status, "completed"),
          and(
            eq(t.status, "failed"),
            or(isNotNull(t.retriedAt), lt(t.reportEndDate, sql`current_date - ${RETENTION_DAYS}::int`)),
          ),
        ),
      ),
    )
    .returning({ id: t.id });
  return deleted.length;
}

/** What can happen to a report in a run: its request (phase 1), or its poll and load (phase 2). */
export type ReportOutcomeKind =
  "created" | "adopted" | "already_pending" | "completed" | "failed" | "still_pending" | "timed_out" | "skipped";

/**
 * A claimed report's next state, decided only here: failed or timed out, finished as failed; still pending,
 * due again in `pollInMs` (`polled`: counted in `attempts`); completed: finished by its load's transaction.
 */
export async function settleReport(
  db: DbOrTx,
  row: PendingReport,
  leaseId: string,
  outcome: { outcome: ReportOutcomeKind; amazonStatus?: string; error?: string },
  next: { pollInMs: number; polled: boolean },
): Promise<void> {
  if (outcome.outcome === "completed") return;
  if (outcome.outcome !== "still_pending") {
    const { amazonStatus, error } = outcome;
    return finishReport(db, row.id, { status: "failed", amazonStatus, error }, leaseId);
  }
  await db
    .update(t)
    .set({
      ...released,
      nextPollAt: sql`now() + make_interval(secs => ${next.pollInMs / 1000})`,
      error: outcome.error ?? null,
      ...(outcome.amazonStatus !== undefined ? { amazonStatus: outcome.amazonStatus } : {}),
      ...(next.polled ? { attempts: sql`${t.attempts} + 1`, lastPolledAt: sql`now()` } : {}),
    })
    .where(ownRow(row.id, leaseId));
}

/** An organisation's pending reports not held by another run are due for a poll now (a per-organisation collect). */
export async function pollNow(db: DbOrTx, orgId: number): Promise<void> {
  await db
    .update(t)
    .set({ nextPollAt: sql`now()` })
    .where(
      and(
        eq(t.orgId, orgId),
        eq(t.status, "pending"),
        gt(t.nextPollAt, sql`now()`),
        or(isNull(t.lockedUntil), lte(t.lockedUntil, sql`now()`)),
      ),
    );
}
