// Where the time of a collect goes, measured piece by piece on the same report file: the download
// alone, + gunzip, + parse (the app's own stream, no database: rows for PGlite, COPY text for
// PostgreSQL), and the app's database work alone over data already in memory.
import { Readable } from "node:stream";
import type { ReadableStream as NodeWebReadableStream } from "node:stream/web";
import { drizzle } from "drizzle-orm/node-postgres";
import { sql } from "drizzle-orm";
import { DEFAULT_WORKER, streamReportRows, upsertCampaignRows, type ReportRow } from "../../src/lib/amazon-ads";
import { decoderFor } from "../../src/lib/amazon-ads/report-file/gunzip";
import type { CopyPiece } from "../../src/lib/amazon-ads/report-file/copy-text";
import { streamReportCopy } from "../../src/lib/amazon-ads/report-file/read-report";
import { copyUpsert, MERGE_ROWS } from "../../src/lib/amazon-ads/storage/copy-staging";
import type { Db, DbHandle } from "../../src/lib/db";
import * as schema from "../../src/lib/db/schema";
import type { Prepared } from "./baselines";

async function drain(url: string, gunzip: boolean): Promise<{ ms: number; bytes: number }> {
  const started = performance.now();
  const response = await fetch(url);
  if (!response.ok || !response.body) throw new Error(`download failed: HTTP ${response.status}`);
  let source: NodeJS.ReadableStream = Readable.fromWeb(response.body as unknown as NodeWebReadableStream<Uint8Array>);
  if (gunzip) source = source.pipe(decoderFor(Buffer.from([0x1f, 0x8b]))!); // the app's gunzip, its chunk size
  let bytes = 0;
  for await (const chunk of source) bytes += (chunk as Buffer).length;
  return { ms: performance.now() - started, bytes };
}

export interface ParseTimings {
  downloadMs: number;
  gzipBytes: number;
  gunzipMs: number;
  jsonBytes: number;
  /** download + gunzip + the string parser's rows (PGlite's path). */
  parseMs: number;
  /** download + gunzip + the COPY encoder's text (PostgreSQL's path). */
  encodeMs: number;
  rows: ReportRow[];
  pieces: CopyPiece[];
}

/** Four passes over one URL (the S3 front re-serves it each time); the rows and the COPY text are kept. */
export async function measureParsing(url: string): Promise<ParseTimings> {
  const download = await drain(url, false);
  const gunzip = await drain(url, true);
  let started = performance.now();
  const rows: ReportRow[] = [];
  for await (const batch of streamReportRows(url, { batchSize: DEFAULT_WORKER.batchSize })) rows.push(...batch);
  const parseMs = performance.now() - started;
  started = performance.now();
  const pieces: CopyPiece[] = [];
  const options = { rowsPerPiece: DEFAULT_WORKER.batchSize, readAheadRows: MERGE_ROWS };
  for await (const piece of streamReportCopy(url, options)) pieces.push(piece);
  return {
    downloadMs: download.ms,
    gzipBytes: download.bytes,
    gunzipMs: gunzip.ms,
    jsonBytes: gunzip.bytes,
    parseMs,
    encodeMs: performance.now() - started,
    rows,
    pieces,
  };
}

/**
 * The collect's database work alone, over data already in memory, in one transaction: on
 * PostgreSQL copyUpsert (COPY into the stage + merges), on PGlite upsertCampaignRows per batch.
 */
export async function timedUpsertOnly(handle: DbHandle, p: Prepared): Promise<number> {
  const started = performance.now();
  if (handle.pgPool) {
    const client = await handle.pgPool.connect();
    try {
      await (drizzle(client, { schema }) as unknown as Db).transaction(async (tx) => {
        await copyUpsert(client, tx, fromMemory(p.pieces), p.provenance);
      });
    } finally {
      client.release();
    }
  } else {
    const batchSize = DEFAULT_WORKER.batchSize;
    await handle.db.transaction(async (tx) => {
      for (let i = 0; i < p.rows.length; i += batchSize)
        await upsertCampaignRows(tx, p.rows.slice(i, i + batchSize), p.provenance);
    });
  }
  return performance.now() - started;
}

async function* fromMemory(pieces: CopyPiece[]): AsyncGenerator<CopyPiece> {
  yield* pieces;
}

export async function truncate(db: Db): Promise<void> {
  await db.execute(sql`truncate amazon_sp_ads`);
}

export async function countRows(db: Db): Promise<number> {
  const result = (await db.execute(sql`select count(*)::int as n from amazon_sp_ads`)) as unknown as {
    rows: Array<{ n: number }>;
  };
  return result.rows[0]!.n;
}
