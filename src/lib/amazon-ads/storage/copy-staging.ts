import { sql } from "drizzle-orm";
import type { Tx } from "../../db";
import { COLUMNS, KEY_COLUMNS } from "../../catalogue/sp-campaigns";
import { COPY_COLUMNS, type CopyPiece } from "../report-file/copy-text";
import { upsertFrom, type RowProvenance } from "./store-rows";

const STAGE = "amazon_sp_ads_stage";
/**
 * Rows per COPY and merge: the encoder parses the next chunk while PostgreSQL merges this one. One merge per
 * file left the parse unoverlapped; 16k to 80k measured alike (docs/benchmarks.md).
 */
export const MERGE_ROWS = 20_000;

const q = (name: string) => `"${name}"`;
const STAGE_COLUMNS = COLUMNS.map((c) => `${q(c.db)} ${c.type}`).join(", ");
/** Without its source (`stdin` on PostgreSQL, a blob on PGlite): ingest-report.ts's CopyIn adds it. */
const COPY_INTO_STAGE = `copy ${STAGE} (${COPY_COLUMNS.map(q).join(", ")}) from`;
const KEYS = KEY_COLUMNS.map((c) => q(c.db)).join(", ");
/** Only when a file repeats a (date, campaign): its last row wins (ctid is file order in a fresh table). */
const LAST_OF_EACH_KEY = sql.raw(`(select distinct on (${KEYS}) * from ${STAGE} order by ${KEYS}, ctid desc) as u`);

/** `COPY <copy> <source>` of `text` on the connection of the caller's transaction. */
export type CopyIn = (copy: string, text: AsyncIterable<Buffer>) => Promise<void>;

/**
 * One report's upsert: COPY into a typed temporary staging table (COPY checks every value), then one
 * INSERT … ON CONFLICT per mergeRows rows (the first a quarter), all in the caller's transaction.
 */
export async function copyUpsert(
  tx: Tx,
  copyIn: CopyIn,
  pieces: AsyncGenerator<CopyPiece>,
  provenance: RowProvenance,
  { onBatch, mergeRows = MERGE_ROWS }: { onBatch?: (rowsSoFar: number) => void; mergeRows?: number } = {},
): Promise<number> {
  let total = 0;
  try {
    let next = await pieces.next();
    if (next.done) return 0;
    await tx.execute(sql.raw(`create temp table ${STAGE} (${STAGE_COLUMNS}) on commit drop`));
    while (!next.done) {
      const present = new Uint8Array(COLUMNS.length);
      let rows = 0;
      // The first chunk is smaller, so the database starts merging sooner.
      const limit = total === 0 ? Math.ceil(mergeRows / 4) : mergeRows;
      const chunk = async function* () {
        while (!next.done && rows < limit) {
          const piece: CopyPiece = next.value;
          yield piece.text;
          rows += piece.rows;
          total += piece.rows;
          piece.present.forEach((p, i) => (present[i] ||= p));
          onBatch?.(total);
          next = await pieces.next();
        }
      };
      await copyIn(COPY_INTO_STAGE, chunk());
      const columns = COLUMNS.filter((_, i) => present[i]);
      await merge(tx, columns, provenance);
      if (!next.done) await tx.execute(sql.raw(`truncate ${STAGE}`));
    }
    return total;
  } finally {
    await pieces.return(undefined); // after a database failure: stop the download
  }
}

async function merge(tx: Tx, columns: typeof COLUMNS, provenance: RowProvenance): Promise<void> {
  // A repeated key makes ON CONFLICT fail ("cannot affect row a second time"); only then is the
  // chunk merged again with one row per key, so the usual case needs no sort.
  await tx.execute(sql`savepoint stage_merge`);
  try {
    await tx.execute(upsertFrom(sql.raw(`${STAGE} as u`), columns, provenance));
  } catch (error) {
    if (sqlState(error) !== "21000") throw error;
    await tx.execute(sql`rollback to savepoint stage_merge`);
    await tx.execute(upsertFrom(LAST_OF_EACH_KEY, columns, provenance));
  }
  await tx.execute(sql`release savepoint stage_merge`);
}

/** The SQLSTATE of a failed query (node-postgres' or PGlite's error), under drizzle's wrapper. */
function sqlState(error: unknown): string | undefined {
  for (let e = error; e instanceof Error; e = e.cause) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && /^[0-9A-Z]{5}$/.test(code)) return code;
  }
  return undefined;
}
