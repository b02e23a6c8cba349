import { and, desc, eq, lt, sql } from "drizzle-orm";
import { getDb, type DbOrTx } from "./db";
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
 * (`details.expectedEndAt`); a run that is merely still going is left alone. Every organisation's, or
 * only those of one organisation, source and job. Returns how many it closed.
 */
export async function closeInterruptedRuns(
  db: DbOrTx,
  of?: { orgId: number; source: string; job: string },
): Promise<number> {
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

/**
 * Opens a run's row, first closing as interrupted a row of the same organisation, source and job
 * that a killed process left running (closeInterruptedRuns; the clean-up of every dispatch closes the
 * rest, so a job that never runs again for its organisation is closed too).
 */
export async function startSyncLog(
  orgId: number,
  source: string,
  job: string,
  db?: DbOrTx,
  options: { expectedMs?: number } = {},
): Promise<number> {
  const conn = db ?? (await getDb());
  const expectedEndAt = new Date(Date.now() + (options.expectedMs ?? DEFAULT_RUN_MS)).toISOString();
  await closeInterruptedRuns(conn, { orgId, source, job });
  const [row] = await conn
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
  db?: DbOrTx,
): Promise<void> {
  const conn = db ?? (await getDb());
  const safeDetails = JSON.parse(redact(JSON.stringify(details))) as Record<string, unknown>;
  await conn
    .update(syncLogs)
    .set({ status, message: redact(message), details: safeDetails, finishedAt: sql`now()` })
    .where(eq(syncLogs.id, id));
}

export async function recentSyncLogs(orgId: number | null, limit = 10, db?: DbOrTx): Promise<SyncLog[]> {
  const conn = db ?? (await getDb());
  return conn
    .select()
    .from(syncLogs)
    .where(orgId === null ? undefined : and(eq(syncLogs.orgId, orgId)))
    .orderBy(desc(syncLogs.startedAt), desc(syncLogs.id))
    .limit(limit);
}
