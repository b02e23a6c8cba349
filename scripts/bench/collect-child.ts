// One collect in a process of its own, for its peak memory (ingest.ts's measureMemory): the parent has set
// the env (database, simulator, keys) and left a COMPLETED report pending. RSS is sampled every 20 ms, and
// the kernel's high-water mark (VmHWM, reset just before the collect) catches a spike between two samples.
import fs from "node:fs";
import { collectReports } from "../../src/lib/amazon-ads";
import { closeDb, getDb } from "../../src/lib/db";
import { COLLECT_OPTIONS, ORG, type ChildResult } from "./ingest";
import { readProc } from "./lib";

// Opening the database first (PGlite: initdb-sized work) keeps its cost out of the collect's peak.
await getDb();
global.gc?.();
try {
  fs.writeFileSync("/proc/self/clear_refs", "5"); // "5" resets VmHWM to the current RSS
} catch {
  // not Linux: the sampled peak stands alone
}
const rssBefore = process.memoryUsage.rss();
let [rssPeakSampled, heapUsedPeak] = [rssBefore, 0];
const sampler = setInterval(() => {
  const m = process.memoryUsage();
  rssPeakSampled = Math.max(rssPeakSampled, m.rss);
  heapUsedPeak = Math.max(heapUsedPeak, m.heapUsed);
}, 20);
const started = performance.now();
const summary = await collectReports(ORG, COLLECT_OPTIONS);
const ms = performance.now() - started;
clearInterval(sampler);
rssPeakSampled = Math.max(rssPeakSampled, process.memoryUsage.rss());
const hwmKb = /VmHWM:\s+(\d+) kB/.exec(readProc("self/status"))?.[1];
const vmHwm = hwmKb ? Number(hwmKb) * 1024 : -1; // -1 without /proc
const [ok, message] = [summary.status === "success", summary.message];
const rows = summary.reports.reduce((n, r) => n + (r.rows ?? 0), 0);
const result: ChildResult = { ok, message, rows, ms, rssBefore, rssPeakSampled, vmHwm, heapUsedPeak };
await closeDb();
process.send?.({ id: 0, ok: true, result });
process.disconnect?.();
