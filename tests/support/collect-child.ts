// A collect in its own process, for the fault tests: prints "BATCH <rows>" after each upserted
// batch (so the parent can kill it mid-upsert) and the summary as JSON at the end.
import fs from "node:fs";
import { collectReports } from "../../src/lib/amazon-ads/work/org-run";
import { closeDb } from "../../src/lib/db";

const summary = await collectReports(Number(process.env.ORG_ID ?? "1"), {
  batchSize: Number(process.env.BATCH_SIZE ?? "500"),
  pollDelaysMs: [50],
  budgetMs: 60_000,
  client: { retry: { baseDelayMs: 5, maxDelayMs: 500 } },
  onBatch: (rows) => {
    // Synchronous write, then a pause: the parent's kill lands inside the report's transaction.
    fs.writeSync(1, `BATCH ${rows}\n`);
    const pause = Number(process.env.PAUSE_AFTER_BATCH_MS ?? "0");
    if (pause > 0) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, pause);
  },
});
console.log(`SUMMARY ${JSON.stringify(summary)}`);
await closeDb();
process.exit(0);
