import { drizzle } from "drizzle-orm/node-postgres";
import pg from "pg";
import type { Db, Tx } from "../../db";
import * as schema from "../../db/schema";
import { streamReportCopy, streamReportRows } from "../report-file/read-report";
import { copyUpsert, MERGE_ROWS } from "./copy-staging";
import { daysHeldByNewerReports, reconcileReportDays, type ReconciledDay } from "./reconcile-days";
import { upsertCampaignRows, type RowProvenance } from "./store-rows";

export interface IngestOptions {
  /** Rows per upsert (PGlite) or per piece of COPY text (PostgreSQL); `onBatch` is called after each. */
  batchSize: number;
  unknownKeys: Set<string>;
  onBatch?: (rowsSoFar: number) => void;
  /** PostgreSQL: rows per COPY and merge (MERGE_ROWS); tests make it small to exercise several. */
  mergeRows?: number;
}

/**
 * Loads one report file into amazon_sp_ads in one transaction, `complete` (the report's "completed"
 * mark) included: a failure or a kill -9 at any point leaves nothing of it. On PostgreSQL the rows go
 * through COPY and a staging table (copy-staging.ts); PGlite has no COPY FROM STDIN for a client
 * stream, so there they go as batches of arrays (upsertCampaignRows). Same rows, same upsert SQL.
 * Then, still in that transaction, each of the report's days is made equal to it (reconcile-days.ts);
 * days a newer report has already loaded keep that report's rows.
 */
export async function ingestReport(
  db: Db,
  url: string,
  provenance: RowProvenance,
  options: IngestOptions,
  complete: (tx: Tx, rows: number) => Promise<void>,
): Promise<{ rows: number; days: ReconciledDay[] }> {
  const pool = postgresPool(db);
  if (!pool)
    return db.transaction(async (tx) => {
      provenance = { ...provenance, skipDates: await daysHeldByNewerReports(tx, provenance) };
      let total = 0;
      for await (const batch of streamReportRows(url, {
        batchSize: options.batchSize,
        unknownKeys: options.unknownKeys,
      })) {
        await upsertCampaignRows(tx, batch, provenance);
        total += batch.length; // the file's rows, as on PostgreSQL (a repeated key counts each time)
        options.onBatch?.(total);
      }
      const days = await reconcileReportDays(tx, provenance);
      await complete(tx, total);
      return { rows: total, days };
    });
  // COPY needs the raw connection that the transaction runs on: take one from the pool and run
  // drizzle's transaction on it, rather than reach into drizzle's transaction for its client.
  const client = await pool.connect();
  let failure: Error | undefined;
  try {
    const onClient = drizzle(client, { schema }) as unknown as Db;
    return await onClient.transaction(async (tx) => {
      provenance = { ...provenance, skipDates: await daysHeldByNewerReports(tx, provenance) };
      const pieces = streamReportCopy(url, {
        rowsPerPiece: options.batchSize,
        readAheadRows: options.mergeRows ?? MERGE_ROWS,
        unknownKeys: options.unknownKeys,
      });
      const total = await copyUpsert(client, tx, pieces, provenance, {
        onBatch: options.onBatch,
        mergeRows: options.mergeRows,
      });
      const days = await reconcileReportDays(tx, provenance);
      await complete(tx, total);
      return { rows: total, days };
    });
  } catch (error) {
    failure = error as Error;
    throw error;
  } finally {
    client.release(failure); // a connection that failed mid-COPY is closed, not reused
  }
}

/**
 * The pg pool under a drizzle handle (its documented `$client`), or null on PGlite: the same as
 * DbHandle.kind === "postgres" for the app's handle, and right for any other handle too.
 */
export function postgresPool(db: Db): pg.Pool | null {
  const client = (db as { $client?: unknown }).$client;
  return client instanceof pg.Pool ? client : null;
}
