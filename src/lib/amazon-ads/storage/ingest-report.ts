import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { PGlite, type Transaction as PgliteTransaction } from "@electric-sql/pglite";
import { drizzle as drizzlePg } from "drizzle-orm/node-postgres";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import pg from "pg";
import { from as copyFrom } from "pg-copy-streams";
import type { Db, Tx } from "../../db";
import * as schema from "../../db/schema";
import { streamReportCopy } from "../report-file/read-report";
import { copyUpsert, MERGE_ROWS, type CopyIn } from "./copy-staging";
import { daysHeldByNewerReports, reconcileReportDays, type ReconciledDay } from "./reconcile-days";
import type { RowProvenance } from "./store-rows";

export interface IngestOptions {
  /** Rows per piece of COPY text; `onBatch` is called after each. */
  batchSize: number;
  unknownKeys: Set<string>;
  onBatch?: (rowsSoFar: number) => void;
  /** Rows per COPY and merge (MERGE_ROWS). */
  mergeRows?: number;
}

/**
 * Loads one report file in one transaction with `complete` (its "completed" mark), so a failure or a kill -9
 * leaves nothing: COPY text into a staging table, merged (copy-staging.ts), then its days reconciled.
 */
export function ingestReport(
  db: Db,
  url: string,
  provenance: RowProvenance,
  options: IngestOptions,
  complete: (tx: Tx, rows: number) => Promise<void>,
): Promise<{ rows: number; days: ReconciledDay[] }> {
  return inCopyTransaction(db, async (tx, copyIn) => {
    provenance = { ...provenance, skipDates: await daysHeldByNewerReports(tx, provenance) };
    const { batchSize: rowsPerPiece, unknownKeys, onBatch, mergeRows } = options;
    const pieces = streamReportCopy(url, { rowsPerPiece, readAheadRows: mergeRows ?? MERGE_ROWS, unknownKeys });
    const total = await copyUpsert(tx, copyIn, pieces, provenance, { onBatch, mergeRows });
    const days = await reconcileReportDays(tx, provenance);
    await complete(tx, total);
    return { rows: total, days };
  });
}

/**
 * A transaction whose connection takes COPY too (drizzle on the raw connection). PostgreSQL reads COPY FROM
 * STDIN as a stream; PGlite has no client stream, so it reads each chunk (≤ MERGE_ROWS rows) from a blob.
 */
async function inCopyTransaction<T>(db: Db, body: (tx: Tx, copyIn: CopyIn) => Promise<T>): Promise<T> {
  const client = (db as { $client?: unknown }).$client;
  if (client instanceof PGlite)
    return client.transaction((ptx) => {
      const tx = drizzlePglite(ptx as unknown as PGlite, { schema }) as unknown as Tx;
      return body(tx, async (copy, text) => {
        const parts: Uint8Array<ArrayBuffer>[] = [];
        for await (const part of text) parts.push(part as Uint8Array<ArrayBuffer>);
        await (ptx as PgliteTransaction).query(`${copy} '/dev/blob'`, [], { blob: new Blob(parts) });
      });
    });
  if (!(client instanceof pg.Pool)) throw new Error("ingestReport needs the app's PGlite or pg.Pool handle");
  const connection = await client.connect();
  let failure: Error | undefined;
  try {
    const onConnection = drizzlePg(connection, { schema }) as unknown as Db;
    return await onConnection.transaction((tx) =>
      body(tx, (copy, text) => pipeline(Readable.from(text), connection.query(copyFrom(`${copy} stdin`)))),
    );
  } catch (error) {
    failure = error as Error;
    throw error;
  } finally {
    connection.release(failure); // a connection that failed mid-COPY is closed, not reused
  }
}
