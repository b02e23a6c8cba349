// Ingest rate of phase 2 for one report size on one database: the real collect on an empty table
// and as an update, then the pieces (download, gunzip, parse, SQL) and the two baselines, all on
// the same table and the same rows.
import { addDays, todayIn } from "../../src/lib/amazon-ads/sync/dates";
import { SIM_DEFAULTS } from "../../tools/amazon-ads-simulator/index";
import { primeReport, requestOne, timedCollect } from "./app";
import { loaderFor } from "./baselines";
import type { Backend, BenchDb } from "./databases";
import { countRows, measureParsing, timedUpsertOnly, truncate } from "./phases";
import type { SimProcess } from "./sim-process";
import { provenanceValues } from "./sql-shape";

export interface EmptyUpdate {
  empty: number;
  update: number;
}

export interface IngestFigures {
  backend: Backend;
  campaigns: number;
  rows: number;
  /** All durations in ms. */
  collect: EmptyUpdate;
  upsertOnly: EmptyUpdate;
  copy: EmptyUpdate;
  rowByRow: EmptyUpdate & { rows: number };
  downloadMs: number;
  gunzipMs: number;
  parseMs: number;
  gzipBytes: number;
  jsonBytes: number;
}

/** Yesterday in the profile's zone: a date the simulator has data for, as the daily job asks. */
export const reportDate = () => addDays(todayIn(SIM_DEFAULTS.profile.timezone), -1);

export async function measureIngest(
  db: BenchDb,
  sim: SimProcess,
  campaigns: number,
  rowByRowCap: number,
  log: (s: string) => void,
): Promise<IngestFigures> {
  const handle = await db.activate();
  await sim.setProfileCampaigns(campaigns);
  const date = reportDate();
  const expected = await sim.expectedCount(date);
  const check = async (what: string, rows = expected) => {
    const n = await countRows(handle.db);
    if (n !== rows) throw new Error(`${what}: the table has ${n} rows, expected ${rows}`);
  };

  await truncate(handle.db);
  await primeReport(await requestOne(date));
  const empty = await timedCollect();
  if (empty.rows !== expected) throw new Error(`collect loaded ${empty.rows} rows, the report has ${expected}`);
  await check("collect (empty table)");
  log(`collect, empty table: ${fmtMs(empty.ms)}`);
  const url = await primeReport(await requestOne(date));
  const update = await timedCollect();
  await check("collect (update)");
  log(`collect, update: ${fmtMs(update.ms)}`);

  const parsed = await measureParsing(url);
  log(`download ${fmtMs(parsed.downloadMs)}, +gunzip ${fmtMs(parsed.gunzipMs)}, +parse ${fmtMs(parsed.parseMs)}`);

  await truncate(handle.db);
  const upsertEmpty = await timedUpsertOnly(handle.db, parsed.rows, date);
  const upsertUpdate = await timedUpsertOnly(handle.db, parsed.rows, date);
  await check("upsert only");
  log(`upsert only (rows in memory): ${fmtMs(upsertEmpty)} / ${fmtMs(upsertUpdate)}`);

  const loader = loaderFor(handle);
  const provenance = provenanceValues("bench-baseline");
  await truncate(handle.db);
  const copyEmpty = await loader.copy(parsed.rows, provenance);
  await check("COPY");
  const copyUpdate = await loader.copyUpsert(parsed.rows, provenance);
  await check("COPY + upsert");
  log(`COPY ${fmtMs(copyEmpty)}, COPY into a temp table + upsert ${fmtMs(copyUpdate)}`);

  // Row by row is slow by design: a prefix of the same rows, its rate extrapolated.
  const sample = parsed.rows.slice(0, rowByRowCap);
  await truncate(handle.db);
  const rbrEmpty = await loader.rowByRow(sample, provenance);
  const rbrUpdate = await loader.rowByRow(sample, provenance);
  await check("row by row", sample.length);
  log(`row by row (${sample.length} rows): ${fmtMs(rbrEmpty)} / ${fmtMs(rbrUpdate)}`);
  await truncate(handle.db);

  return {
    backend: db.backend,
    campaigns,
    rows: expected,
    collect: { empty: empty.ms, update: update.ms },
    upsertOnly: { empty: upsertEmpty, update: upsertUpdate },
    copy: { empty: copyEmpty, update: copyUpdate },
    rowByRow: { empty: rbrEmpty, update: rbrUpdate, rows: sample.length },
    downloadMs: parsed.downloadMs,
    gunzipMs: parsed.gunzipMs,
    parseMs: parsed.parseMs,
    gzipBytes: parsed.gzipBytes,
    jsonBytes: parsed.jsonBytes,
  };
}

export const fmtMs = (ms: number) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${Math.round(ms)} ms`);
