// Where the time of a collect goes, measured piece by piece on the same report file:
// the download alone, + gunzip, + parse (the app's streamReportRows, no database), and the app's
// upsertCampaignRows alone over rows already in memory (SQL only).
import { Readable } from "node:stream";
import type { ReadableStream as NodeWebReadableStream } from "node:stream/web";
import { createGunzip } from "node:zlib";
import { sql } from "drizzle-orm";
import { DEFAULT_COLLECT, streamReportRows, upsertCampaignRows, type ReportRow } from "../../src/lib/amazon-ads";
import type { Db } from "../../src/lib/db";
import { addDays } from "../../src/lib/amazon-ads/sync/dates";
import { ORG } from "./app";
import { SIM_DEFAULTS } from "../../tools/amazon-ads-simulator/index";

async function drain(url: string, gunzip: boolean): Promise<{ ms: number; bytes: number }> {
  const started = performance.now();
  const response = await fetch(url);
  if (!response.ok || !response.body) throw new Error(`download failed: HTTP ${response.status}`);
  let source: NodeJS.ReadableStream = Readable.fromWeb(response.body as unknown as NodeWebReadableStream<Uint8Array>);
  if (gunzip) source = source.pipe(createGunzip());
  let bytes = 0;
  for await (const chunk of source) bytes += (chunk as Buffer).length;
  return { ms: performance.now() - started, bytes };
}

export interface ParseTimings {
  downloadMs: number;
  gzipBytes: number;
  gunzipMs: number;
  jsonBytes: number;
  parseMs: number;
  rows: ReportRow[];
}

/** Three passes over one URL (the simulator re-serves it each time); the last one keeps the rows. */
export async function measureParsing(url: string): Promise<ParseTimings> {
  const download = await drain(url, false);
  const gunzip = await drain(url, true);
  const started = performance.now();
  const rows: ReportRow[] = [];
  for await (const batch of streamReportRows(url, { batchSize: DEFAULT_COLLECT.batchSize })) rows.push(...batch);
  return {
    downloadMs: download.ms,
    gzipBytes: download.bytes,
    gunzipMs: gunzip.ms,
    jsonBytes: gunzip.bytes,
    parseMs: performance.now() - started,
    rows,
  };
}

/** The app's upsert alone: the collect's batches and transaction, without download and parse. */
export async function timedUpsertOnly(
  db: Db,
  rows: ReportRow[],
  date: string,
  batchSize = DEFAULT_COLLECT.batchSize,
): Promise<number> {
  const provenance = {
    orgId: ORG,
    profileId: SIM_DEFAULTS.profileId,
    reportId: "bench-upsert-only",
    kind: "daily" as const,
    referenceDate: addDays(date, 1),
  };
  const started = performance.now();
  await db.transaction(async (tx) => {
    for (let i = 0; i < rows.length; i += batchSize)
      await upsertCampaignRows(tx, rows.slice(i, i + batchSize), provenance);
  });
  return performance.now() - started;
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
