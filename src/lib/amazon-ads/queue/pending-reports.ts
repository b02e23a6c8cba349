import { and, asc, eq, gt, inArray, isNotNull, isNull, lt, lte, or, sql } from "drizzle-orm";
import type { DbOrTx } from "../../db";
import { amazonAdsPendingReports, type PendingReport } from "../../db/schema";

export type NewPendingReport = Pick<
  PendingReport,
  "orgId" | "reportId" | "reportDate" | "reportEndDate" | "kind" | "lookbackDays" | "profileId" | "region"
> & {
  retryAttempt?: number;
  clientKey?: string;
  /** Its first poll this long after now (poll-pacing.ts); at once by default. */
  firstPollInMs?: number;
};

/**
 * A worker's claim on a report ran out and another worker took it: this one must not finish it
 * (thrown inside the load's transaction, so its rows roll back and the report is stored once).
 */
export class LeaseLostError extends Error {
  constructor(id: number) {
    super(`Pending report ${id}: the claim ran out and another worker took it over; nothing was stored`);
  }
}

/** Rows of this report, and of this claim when a worker holds it by lease. */
const ownRow = (id: number, leaseId?: string) =>
  and(
    eq(amazonAdsPendingReports.id, id),
    leaseId === undefined ? undefined : eq(amazonAdsPendingReports.leaseId, leaseId),
  );

/** Inserts unless the same report (425 adoption) or an open request for the same range is already there. */
export async function insertPendingReport(db: DbOrTx, report: NewPendingReport): Promise<boolean> {
  const { firstPollInMs, ...row } = report;
  const nextPollAt = firstPollInMs ? sql`now() + make_interval(secs => ${firstPollInMs / 1000})` : undefined;
  const inserted = await db
    .insert(amazonAdsPendingReports)
    .values({ ...row, ...(nextPollAt ? { nextPollAt } : {}) })
    .onConflictDoNothing()
    .returning({ id: amazonAdsPendingReports.id });
  return inserted.length > 0;
}

export async function openRequestsFor(db: DbOrTx, orgId: number, profileId: string): Promise<PendingReport[]> {
  return db
    .select()
    .from(amazonAdsPendingReports)
    .where(
      and(
        eq(amazonAdsPendingReports.orgId, orgId),
        eq(amazonAdsPendingReports.profileId, profileId),
        eq(amazonAdsPendingReports.status, "pending"),
      ),
    );
}

/**
 * Failed requests whose date has not been asked for again yet, of every kind: phase 1 decides which
 * are due (retry-schedule.ts) and re-requests them, so a date is retried until it lands, runs out of
 * attempts, or leaves Amazon's retention.
 */
export async function failedNotRetried(db: DbOrTx, orgId: number): Promise<PendingReport[]> {
  return db
    .select()
    .from(amazonAdsPendingReports)
    .where(
      and(
        eq(amazonAdsPendingReports.orgId, orgId),
        eq(amazonAdsPendingReports.status, "failed"),
        isNull(amazonAdsPendingReports.retriedAt),
      ),
    )
    .orderBy(asc(amazonAdsPendingReports.reportDate));
}

/**
 * Of an organisation's failed dates not yet retried (failedNotRetried), those of profiles it no longer
 * syncs are not retried any more: marked as retried, so phase 1 stops asking for them (and the
 * clean-up can drop them).
 */
export async function abandonUnselectedProfiles(
  db: DbOrTx,
  failed: readonly PendingReport[],
  selectedIds: ReadonlySet<string>,
): Promise<void> {
  await markRetried(
    db,
    failed.filter((r) => !selectedIds.has(r.profileId)).map((r) => r.id),
  );
}

export async function markRetried(db: DbOrTx, ids: number[]) {
  if (ids.length)
    await db
      .update(amazonAdsPendingReports)
      .set({ retriedAt: sql`now()`, updatedAt: sql`now()` })
      .where(inArray(amazonAdsPendingReports.id, ids));
}

export async function pendingReports(db: DbOrTx, orgId: number): Promise<PendingReport[]> {
  return db
    .select()
    .from(amazonAdsPendingReports)
    .where(and(eq(amazonAdsPendingReports.orgId, orgId), eq(amazonAdsPendingReports.status, "pending")))
    .orderBy(asc(amazonAdsPendingReports.createdAt), asc(amazonAdsPendingReports.id));
}

export async function finishReport(
  db: DbOrTx,
  id: number,
  outcome: { status: "completed" | "failed"; amazonStatus?: string; error?: string | null; rowsLoaded?: number },
  leaseId?: string,
) {
  const finished = await db
    .update(amazonAdsPendingReports)
    .set({
      status: outcome.status,
      amazonStatus: outcome.amazonStatus,
      error: outcome.error ?? null,
      rowsLoaded: outcome.rowsLoaded,
      lockedUntil: null,
      updatedAt: sql`now()`,
      finishedAt: sql`now()`,
      leaseId: null,
    })
    .where(ownRow(id, leaseId))
    .returning({ id: amazonAdsPendingReports.id });
  if (finished.length === 0 && leaseId !== undefined) throw new LeaseLostError(id);
}

/**
 * The clean-up of the queue, made safe for retries: finished requests older than 24 h go when nothing depends
 * on them any more: completed ones, and failed ones whose date was asked for again (the newer
 * request carries it on). A failed request not yet retried stays (it is the record that its date is
 * missing, and phase 1 retries it from it) until its dates leave Amazon's retention.
 */
export async function deleteFinishedReports(
  db: DbOrTx,
  orgId: number | null,
  options: { olderThanHours?: number; retentionDays: number },
): Promise<number> {
  const t = amazonAdsPendingReports;
  const deleted = await db
    .delete(t)
    .where(
      and(
        orgId === null ? undefined : eq(t.orgId, orgId),
        lt(t.finishedAt, sql`now() - make_interval(hours => ${options.olderThanHours ?? 24})`),
        or(
          eq(t.status, "completed"),
          and(
            eq(t.status, "failed"),
            or(isNotNull(t.retriedAt), lt(t.reportEndDate, sql`current_date - ${options.retentionDays}::int`)),
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
 * A claimed report's next state, from what its unit found: the one place that decides it. Failed or
 * timed out: finished as failed. Still pending: back to the queue, due again in `pollInMs`, with what
 * the poll said (`polled`: Amazon answered one, counted in `attempts`, which paces the next ones).
 * Completed: already finished, by its load's own transaction (collect-report.ts).
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
    await finishReport(
      db,
      row.id,
      { status: "failed", amazonStatus: outcome.amazonStatus, error: outcome.error },
      leaseId,
    );
    return;
  }
  const t = amazonAdsPendingReports;
  await db
    .update(t)
    .set({
      lockedUntil: null,
      leaseId: null,
      nextPollAt: sql`now() + make_interval(secs => ${next.pollInMs / 1000})`,
      updatedAt: sql`now()`,
      error: outcome.error ?? null,
      ...(outcome.amazonStatus !== undefined ? { amazonStatus: outcome.amazonStatus } : {}),
      ...(next.polled ? { attempts: sql`${t.attempts} + 1`, lastPolledAt: sql`now()` } : {}),
    })
    .where(ownRow(row.id, leaseId));
}

/** An organisation's pending reports not held by another run are due for a poll now (a per-organisation collect). */
export async function pollNow(db: DbOrTx, orgId: number): Promise<void> {
  const t = amazonAdsPendingReports;
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
