// The reference loaders, run on the same table with the same rows as the collect, their input made
// before the clock starts: COPY into amazon_sp_ads (the limit of loading: what a database engineer
// would call it), COPY into a temporary staging table + one INSERT … SELECT … ON CONFLICT with the
// collect's own SQL (the limit of a bulk upsert), and a naive row-by-row upsert (one autocommitted
// statement per row). Through the raw driver under the app's own handle.
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { PoolClient } from "pg";
import { from as copyFrom } from "pg-copy-streams";
import type { CopyPiece } from "../../src/lib/amazon-ads/report-file/copy-text";
import type { ReportRow } from "../../src/lib/amazon-ads/report-file/read-report";
import type { RowProvenance } from "../../src/lib/amazon-ads/storage/store-rows";
import type { DbHandle } from "../../src/lib/db";
import {
  mergeFromStage,
  presentColumns,
  rowUpsert,
  STAGE_COPY_COLUMNS,
  STAGE_TABLE,
  TABLE_COPY_COLUMNS,
  tableCopyText,
} from "./sql-shape";

/** A report's rows, ready to load: the COPY text of the stage and of the table, made before any timing. */
export interface Prepared {
  pieces: CopyPiece[];
  table: Buffer[];
  rows: ReportRow[];
  provenance: RowProvenance;
}

export function prepare(pieces: CopyPiece[], rows: ReportRow[], provenance: RowProvenance, date: string): Prepared {
  return { pieces, table: tableCopyText(pieces, provenance, date), rows, provenance };
}

export interface Loader {
  /** COPY of the rows into amazon_sp_ads (an empty table: the limit of loading). */
  copy(p: Prepared): Promise<number>;
  /** COPY into a temp table, then one INSERT … SELECT … ON CONFLICT (the limit of a bulk upsert). */
  stagedUpsert(p: Prepared): Promise<number>;
  /** One autocommitted INSERT … ON CONFLICT per row, over the first `count` rows. */
  rowByRow(p: Prepared, count: number): Promise<number>;
}

async function timed(work: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await work();
  return performance.now() - started;
}

export function loaderFor(handle: DbHandle): Loader {
  if (handle.pgPool) return postgresLoader(handle.pgPool);
  if (handle.pglite) return pgliteLoader(handle.pglite);
  throw new Error("the handle has neither a pg pool nor PGlite");
}

function postgresLoader(pool: NonNullable<DbHandle["pgPool"]>): Loader {
  const withClient = async <T>(work: (client: PoolClient) => Promise<T>): Promise<T> => {
    const client = await pool.connect();
    try {
      return await work(client);
    } finally {
      client.release();
    }
  };
  const copyInto = (client: PoolClient, target: string, data: Buffer[]) =>
    pipeline(Readable.from(data), client.query(copyFrom(`copy ${target} from stdin`)));
  return {
    copy: (p) =>
      withClient((client) => timed(() => copyInto(client, `amazon_sp_ads (${TABLE_COPY_COLUMNS})`, p.table))),
    stagedUpsert: (p) =>
      withClient((client) => {
        const merge = mergeFromStage(p.pieces, p.provenance);
        const texts = p.pieces.map((piece) => piece.text);
        return timed(async () => {
          await client.query("begin");
          await client.query(STAGE_TABLE);
          await copyInto(client, `bench_stage (${STAGE_COPY_COLUMNS})`, texts);
          await client.query(merge.text, merge.params);
          await client.query("commit");
        });
      }),
    rowByRow: (p, count) =>
      withClient((client) => {
        const columns = presentColumns(p.pieces);
        const statements = p.rows.slice(0, count).map((row) => rowUpsert(row, columns, p.provenance));
        return timed(async () => {
          // A named statement: parsed once, as any driver with a statement cache would.
          for (const s of statements) await client.query({ name: "bench_row_upsert", text: s.text, values: s.params });
        });
      }),
  };
}

function pgliteLoader(pglite: NonNullable<DbHandle["pglite"]>): Loader {
  // PGlite's COPY reads from a Blob mounted as /dev/blob (there is no client stream).
  const blob = (data: Buffer[]) => new Blob(data as unknown as BlobPart[]);
  return {
    copy: (p) => {
      const data = blob(p.table);
      return timed(() =>
        pglite.query(`copy amazon_sp_ads (${TABLE_COPY_COLUMNS}) from '/dev/blob'`, [], { blob: data }),
      );
    },
    stagedUpsert: (p) => {
      const data = blob(p.pieces.map((piece) => piece.text));
      const merge = mergeFromStage(p.pieces, p.provenance);
      return timed(() =>
        pglite.transaction(async (tx) => {
          await tx.exec(STAGE_TABLE);
          await tx.query(`copy bench_stage (${STAGE_COPY_COLUMNS}) from '/dev/blob'`, [], { blob: data });
          await tx.query(merge.text, merge.params);
        }),
      );
    },
    rowByRow: (p, count) => {
      const columns = presentColumns(p.pieces);
      const statements = p.rows.slice(0, count).map((row) => rowUpsert(row, columns, p.provenance));
      return timed(async () => {
        for (const s of statements) await pglite.query(s.text, s.params);
      });
    },
  };
}
