// One collect in a process of its own, for its peak memory: the parent has set the env (database,
// simulator, keys) and left a COMPLETED report pending. RSS is sampled every 20 ms, and the kernel's
// high-water mark (VmHWM, reset just before the collect) catches a spike between two samples.
import fs from "node:fs";
import { collectReports } from "../../src/lib/amazon-ads";
import { closeDb, getDb } from "../../src/lib/db";
import { COLLECT_OPTIONS, ORG } from "./app";

export interface ChildResult {
  ok: boolean;
  message: string;
  rows: number;
  ms: number;
  rssBefore: number;
  rssPeakSampled: number;
  /** -1 where /proc is missing. */
  vmHwm: number;
  /** Peaks of V8's heap (used / reserved) and of memory outside it (Buffers), to tell which one grew. */
  heapUsedPeak: number;
  heapTotalPeak: number;
  externalPeak: number;
}

function vmHwmBytes(): number {
  try {
    const kb = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync("/proc/self/status", "utf8"))?.[1];
    return kb ? Number(kb) * 1024 : -1;
  } catch {
    return -1;
  }
}

// Opening the database first (PGlite: initdb-sized work) keeps its cost out of the collect's peak.
await getDb();
global.gc?.();
try {
  fs.writeFileSync("/proc/self/clear_refs", "5"); // "5" resets VmHWM to the current RSS
} catch {
  // not Linux: the sampled peak stands alone
}
const rssBefore = process.memoryUsage.rss();
let rssPeakSampled = rssBefore;
let heapUsedPeak = 0;
let heapTotalPeak = 0;
let externalPeak = 0;
const sampler = setInterval(() => {
  const m = process.memoryUsage();
  rssPeakSampled = Math.max(rssPeakSampled, m.rss);
  heapUsedPeak = Math.max(heapUsedPeak, m.heapUsed);
  heapTotalPeak = Math.max(heapTotalPeak, m.heapTotal);
  externalPeak = Math.max(externalPeak, m.external);
}, 20);
const started = performance.now();
const summary = await collectReports(ORG, COLLECT_OPTIONS);
const ms = performance.now() - started;
clearInterval(sampler);
rssPeakSampled = Math.max(rssPeakSampled, process.memoryUsage.rss());
const result: ChildResult = {
  ok: summary.status === "success",
  message: summary.message,
  rows: summary.reports.reduce((n, r) => n + (r.rows ?? 0), 0),
  ms,
  rssBefore,
  rssPeakSampled,
  vmHwm: vmHwmBytes(),
  heapUsedPeak,
  heapTotalPeak,
  externalPeak,
};
await closeDb();
process.send?.(result);
process.disconnect?.();
