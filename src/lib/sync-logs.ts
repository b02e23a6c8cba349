import { and, desc, eq, lt, sql } from "drizzle-orm";
import type { DbOrTx } from "./db";
import { syncLogs, type SyncLog } from "./db/schema";
import { redact } from "./log";

export type RunStatus = "success" | "partial" | "error";

/** The roll-up of several outcomes: all succeeded, none did, or some. The one place this is decided. */
export function rollUp(statuses: readonly RunStatus[]): RunStatus {
  if (statuses.every((s) => s === "success")) return "success";
  return statuses.every((s) => s === "error") ? "error" : "partial";
}

// A run is "interrupted" once this long past the end it announced (it finishes its row itself otherwise).
const INTERRUPTED_AFTER_MS = 5 * 60_000;
// For rows written before runs announced their end.
const DEFAULT_RUN_MS = 15 * 60_000;

/**
 * Closes, as interrupted, rows a killed process left `running` well past the end they announced
 * (`details.expectedEndAt`), every organisation's or one organisation's job's; returns how many.
 */
export async function closeInterruptedRuns(db: DbOrTx, of?: { orgId: number; source: string; job: string }) {
  const closed = await db
    .update(syncLogs)
    .set({
      status: "interrupted",
      message: "Interrupted: the process running it stopped before it finished",
      finishedAt: sql`now()`,
    })
    .where(
      and(
        of ? and(eq(syncLogs.orgId, of.orgId), eq(syncLogs.source, of.source), eq(syncLogs.job, of.job)) : undefined,
        eq(syncLogs.status, "running"),
        lt(
          sql`coalesce((${syncLogs.details}->>'expectedEndAt')::timestamptz, ${syncLogs.startedAt} + make_interval(secs => ${DEFAULT_RUN_MS / 1000}))`,
          sql`now() - make_interval(secs => ${INTERRUPTED_AFTER_MS / 1000})`,
        ),
      ),
    )
    .returning({ id: syncLogs.id });
  return closed.length;
}

/** Opens a run's row, first closing its job's rows a killed process left running (every dispatch closes the rest). */
export async function startSyncLog(orgId: number, source: string, job: string, db: DbOrTx, expectedMs: number) {
  const expectedEndAt = new Date(Date.now() + expectedMs).toISOString();
  await closeInterruptedRuns(db, { orgId, source, job });
  const [row] = await db
    .insert(syncLogs)
    .values({ orgId, source, job, status: "running", details: { expectedEndAt } })
    .returning({ id: syncLogs.id });
  return row!.id;
}

/** Finishes a run's row. Message and details pass through redact(): no secret reaches sync_logs. */
export async function finishSyncLog(
  id: number,
  status: RunStatus,
  message: string,
  details: Record<string, unknown>,
  db: DbOrTx,
): Promise<void> {
  const safeDetails = JSON.parse(redact(JSON.stringify(details))) as Record<string, unknown>;
  await db
    .update(syncLogs)
    .set({ status, message: redact(message), details: safeDetails, finishedAt: sql`now()` })
    .where(eq(syncLogs.id, id));
}

export async function recentSyncLogs(orgId: number | null, limit: number, db: DbOrTx): Promise<SyncLog[]> {
  return db
    .select()
    .from(syncLogs)
    .where(orgId === null ? undefined : eq(syncLogs.orgId, orgId))
    .orderBy(desc(syncLogs.startedAt), desc(syncLogs.id))
    .limit(limit);
}
