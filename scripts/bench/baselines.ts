// The two reference loaders, run on the same table with the same rows as the collect:
// COPY (the physical limit for loading) and a naive row-by-row upsert (one autocommitted
// INSERT … ON CONFLICT per row). Both through the raw driver under the app's own handle.
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { PoolClient } from "pg";
import { from as copyFrom } from "pg-copy-streams";
import type { ReportRow } from "../../src/lib/amazon-ads/report-file/read-report";
import type { DbHandle } from "../../src/lib/db";
import { COLUMN_LIST, copyText, ON_CONFLICT, ROW_INSERT, rowValues } from "./sql-shape";

export interface Loader {
  /** COPY of the rows into the table (empty table: the physical limit). */
  copy(rows: ReportRow[], provenance: string[]): Promise<number>;
  /** The bulk-upsert limit over existing rows: COPY into a temp table, then one INSERT … SELECT … ON CONFLICT. */
  copyUpsert(rows: ReportRow[], provenance: string[]): Promise<number>;
  /** One autocommitted INSERT … ON CONFLICT per row. */
  rowByRow(rows: ReportRow[], provenance: string[]): Promise<number>;
}

const STAGE = `create temp table bench_stage on commit drop as select ${COLUMN_LIST} from amazon_sp_ads with no data`;
const FROM_STAGE = `insert into amazon_sp_ads (${COLUMN_LIST}) select ${COLUMN_LIST} from bench_stage ${ON_CONFLICT}`;

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
  const copyInto = (client: PoolClient, table: string, rows: ReportRow[], provenance: string[]) =>
    pipeline(
      Readable.from(copyText(rows, provenance)),
      client.query(copyFrom(`copy ${table} (${COLUMN_LIST}) from stdin`)),
    );
  return {
    copy: (rows, provenance) =>
      withClient((client) => timed(() => copyInto(client, "amazon_sp_ads", rows, provenance))),
    copyUpsert: (rows, provenance) =>
      withClient((client) =>
        timed(async () => {
          await client.query("begin");
          await client.query(STAGE);
          await copyInto(client, "bench_stage", rows, provenance);
          await client.query(FROM_STAGE);
          await client.query("commit");
        }),
      ),
    rowByRow: (rows, provenance) =>
      withClient((client) =>
        timed(async () => {
          // A named statement: parsed once, as any driver with a statement cache would.
          for (const row of rows)
            await client.query({ name: "bench_row_upsert", text: ROW_INSERT, values: rowValues(provenance, row) });
        }),
      ),
  };
}

function pgliteLoader(pglite: NonNullable<DbHandle["pglite"]>): Loader {
  // PGlite's COPY reads from a Blob mounted as /dev/blob (there is no client stream).
  const blobOf = (rows: ReportRow[], provenance: string[]) => new Blob([...copyText(rows, provenance)]);
  return {
    copy: (rows, provenance) =>
      timed(() =>
        pglite.query(`copy amazon_sp_ads (${COLUMN_LIST}) from '/dev/blob'`, [], { blob: blobOf(rows, provenance) }),
      ),
    copyUpsert: (rows, provenance) =>
      timed(() =>
        pglite.transaction(async (tx) => {
          await tx.exec(STAGE);
          await tx.query(`copy bench_stage (${COLUMN_LIST}) from '/dev/blob'`, [], { blob: blobOf(rows, provenance) });
          await tx.exec(FROM_STAGE);
        }),
      ),
    rowByRow: (rows, provenance) =>
      timed(async () => {
        for (const row of rows) await pglite.query(ROW_INSERT, rowValues(provenance, row));
      }),
  };
}
