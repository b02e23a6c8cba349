// Ingest rate of phase 2 for one report size on one database: the real collect on an empty table
// and as an update, the baselines (COPY, and COPY into a staging table + one upsert) on the same
// table and the same rows, in rounds that interleave them (the machine is shared: a ratio is taken
// between medians of runs made side by side), then the pieces (download, gunzip, parse, SQL alone).
import { sql } from "drizzle-orm";
import { addDays, todayIn } from "../../src/lib/amazon-ads/plan/dates";
import type { Db } from "../../src/lib/db";
import { SIM_DEFAULTS } from "../../tools/amazon-ads-simulator/index";
import { primeReport, requestOne, timedCollect } from "./app";
import { loaderFor, prepare } from "./baselines";
import type { Backend, BenchDb } from "./databases";
import { backendCpu, cpuBetween, processCpuMs } from "./pg-cpu";
import { countRows, measureParsing, timedUpsertOnly, truncate } from "./phases";
import type { SimProcess } from "./sim-process";
import { baselineProvenance } from "./sql-shape";

export interface EmptyUpdate {
  empty: number;
  update: number;
}

/** Every timed run, in ms, one entry per round. */
export interface Samples {
  collectEmpty: number[];
  collectUpdate: number[];
  copy: number[];
  stagedEmpty: number[];
  stagedUpdate: number[];
  /** CPU during each collect: the database's backends (null without /proc) and the collecting process. */
  dbCpuEmpty: Array<number | null>;
  dbCpuUpdate: Array<number | null>;
  appCpuEmpty: number[];
  appCpuUpdate: number[];
}

export interface IngestFigures {
  backend: Backend;
  campaigns: number;
  rows: number;
  samples: Samples;
  /** All durations in ms. */
  upsertOnly: EmptyUpdate;
  rowByRow: EmptyUpdate & { rows: number };
  downloadMs: number;
  gunzipMs: number;
  parseMs: number;
  encodeMs: number;
  gzipBytes: number;
  jsonBytes: number;
}

/** Yesterday in the profile's zone: a date the simulator has data for, as the daily job asks. */
export const reportDate = () => addDays(todayIn(SIM_DEFAULTS.profile.timezone), -1);

export const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

/** Dirty pages of the last run written out first, so no run pays for the one before (needs a superuser; else skipped). */
async function settle(db: Db): Promise<void> {
  await db.execute(sql`checkpoint`).catch(() => {});
}

export async function measureIngest(
  db: BenchDb,
  sim: SimProcess,
  campaigns: number,
  o: { rowByRowCap: number; rounds: number },
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
  const timedStep = async (what: string, work: () => Promise<number>, rows = expected) => {
    await settle(handle.db);
    const ms = await work();
    await check(what, rows);
    return ms;
  };

  // The first report's file gives the baselines their input (and the parse figures); it is then collected.
  const url = await primeReport(await requestOne(date));
  const parsed = await measureParsing(url);
  log(
    `download ${fmtMs(parsed.downloadMs)}, +gunzip ${fmtMs(parsed.gunzipMs)}, +parse to rows ${fmtMs(parsed.parseMs)}, +encode to COPY text ${fmtMs(parsed.encodeMs)}`,
  );
  const prepared = prepare(parsed.pieces, parsed.rows, baselineProvenance(date), date);
  const loader = loaderFor(handle);
  const samples: Samples = {
    collectEmpty: [],
    collectUpdate: [],
    copy: [],
    stagedEmpty: [],
    stagedUpdate: [],
    dbCpuEmpty: [],
    dbCpuUpdate: [],
    appCpuEmpty: [],
    appCpuUpdate: [],
  };
  const collect = (dbCpu: Array<number | null>, appCpu: number[]) => async () => {
    const [before, since] = [await backendCpu(handle.db), process.cpuUsage()];
    const { ms, rows } = await timedCollect();
    appCpu.push(processCpuMs(since));
    dbCpu.push(cpuBetween(before, await backendCpu(handle.db)));
    if (rows !== expected) throw new Error(`collect loaded ${rows} rows, the report has ${expected}`);
    return ms;
  };

  for (let round = 1; round <= o.rounds; round++) {
    await truncate(handle.db);
    samples.copy.push(await timedStep("COPY", () => loader.copy(prepared)));
    await truncate(handle.db);
    samples.stagedEmpty.push(await timedStep("staged upsert (empty)", () => loader.stagedUpsert(prepared)));
    samples.stagedUpdate.push(await timedStep("staged upsert (update)", () => loader.stagedUpsert(prepared)));
    await truncate(handle.db);
    if (round > 1) await primeReport(await requestOne(date));
    samples.collectEmpty.push(
      await timedStep("collect (empty table)", collect(samples.dbCpuEmpty, samples.appCpuEmpty)),
    );
    await primeReport(await requestOne(date));
    samples.collectUpdate.push(await timedStep("collect (update)", collect(samples.dbCpuUpdate, samples.appCpuUpdate)));
    const last = (xs: Array<number | null>) => (xs[xs.length - 1] == null ? "?" : fmtMs(xs[xs.length - 1]!));
    log(
      `round ${round}/${o.rounds}: COPY ${last(samples.copy)}; staged upsert ${last(samples.stagedEmpty)} / ${last(samples.stagedUpdate)}; collect ${last(samples.collectEmpty)} / ${last(samples.collectUpdate)} (empty table / update; CPU of the database ${last(samples.dbCpuEmpty)} / ${last(samples.dbCpuUpdate)}, of this process ${last(samples.appCpuEmpty)} / ${last(samples.appCpuUpdate)})`,
    );
  }

  await truncate(handle.db);
  const upsertEmpty = await timedStep("upsert only", () => timedUpsertOnly(handle, prepared));
  const upsertUpdate = await timedStep("upsert only", () => timedUpsertOnly(handle, prepared));
  log(`upsert only (data in memory): ${fmtMs(upsertEmpty)} / ${fmtMs(upsertUpdate)}`);

  // Row by row is slow by design: a prefix of the same rows, its rate extrapolated.
  const sample = Math.min(o.rowByRowCap, parsed.rows.length);
  await truncate(handle.db);
  const rbrEmpty = await timedStep("row by row", () => loader.rowByRow(prepared, sample), sample);
  const rbrUpdate = await timedStep("row by row", () => loader.rowByRow(prepared, sample), sample);
  log(`row by row (${sample} rows): ${fmtMs(rbrEmpty)} / ${fmtMs(rbrUpdate)}`);
  await truncate(handle.db);

  return {
    backend: db.backend,
    campaigns,
    rows: expected,
    samples,
    upsertOnly: { empty: upsertEmpty, update: upsertUpdate },
    rowByRow: { empty: rbrEmpty, update: rbrUpdate, rows: sample },
    downloadMs: parsed.downloadMs,
    gunzipMs: parsed.gunzipMs,
    parseMs: parsed.parseMs,
    encodeMs: parsed.encodeMs,
    gzipBytes: parsed.gzipBytes,
    jsonBytes: parsed.jsonBytes,
  };
}

export const fmtMs = (ms: number) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${Math.round(ms)} ms`);
