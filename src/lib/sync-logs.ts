import { and, desc, eq, sql } from "drizzle-orm";
import { getDb, type DbOrTx } from "./db";
import { syncLogs, type SyncLog } from "./db/schema";
import { redact } from "./log";

export type SyncStatus = "success" | "partial" | "error";

export async function startSyncLog(orgId: number, source: string, job: string, db?: DbOrTx): Promise<number> {
  const conn = db ?? (await getDb());
  const [row] = await conn
    .insert(syncLogs)
    .values({ orgId, source, job, status: "running" })
    .returning({ id: syncLogs.id });
  return row!.id;
}

/** Finishes a run's row. Message and details pass through redact(): no secret reaches sync_logs. */
export async function finishSyncLog(
  id: number,
  status: SyncStatus,
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
