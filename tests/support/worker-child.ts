// A worker in its own process, for the fault tests: prints "BATCH <rows>" after each upserted batch
// (so the parent can kill it mid-upsert) and its run as JSON at the end.
import fs from "node:fs";
import { runWorker } from "../../src/lib/amazon-ads/work/worker";
import { closeDb } from "../../src/lib/db";

const run = await runWorker({
  batchSize: 500,
  leaseMs: Number(process.env.LEASE_MS ?? "180000"),
  pollDelaysMs: [50],
  maxIdleMs: 2_000,
  budgetMs: 60_000,
  client: { retry: { baseDelayMs: 5, maxDelayMs: 500 } },
  onBatch: (rows) => {
    // Synchronous write, then a pause: the parent's kill lands inside the report's transaction.
    fs.writeSync(1, `BATCH ${rows}\n`);
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 2_000);
  },
});
console.log(`RUN ${JSON.stringify(run)}`);
await closeDb();
process.exit(0);
