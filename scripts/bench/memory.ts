// Peak memory of a collect, in a child process so nothing of the benchmark itself (the rows kept
// for the baselines, the simulator) is counted.
import { fork } from "node:child_process";
import path from "node:path";
import { primeReport, requestOne } from "./app";
import type { ChildResult } from "./collect-child";
import type { Backend, BenchDb } from "./databases";
import { reportDate } from "./ingest";
import { truncate } from "./phases";
import type { SimProcess } from "./sim-process";

export interface MemoryFigures extends ChildResult {
  backend: Backend;
  campaigns: number;
  /** max(sampled, VmHWM). */
  peak: number;
}

const CHILD_TIMEOUT_MS = 5 * 60_000;

export async function measureMemory(db: BenchDb, sim: SimProcess, campaigns: number): Promise<MemoryFigures> {
  const handle = await db.activate();
  await sim.setProfileCampaigns(campaigns);
  await truncate(handle.db);
  await primeReport(await requestOne(reportDate()));
  // PGlite allows one process per data folder: the parent lets go while the child collects.
  await db.deactivate();
  // Node's default flags: no cap on V8's heap (the issue's condition; a cap would hide garbage V8 keeps).
  const result = await runChild({ ...process.env, ...db.env } as NodeJS.ProcessEnv, []);
  await db.activate();
  if (!result.ok) throw new Error(`the collect child failed: ${result.message}`);
  return { ...result, backend: db.backend, campaigns, peak: Math.max(result.rssPeakSampled, result.vmHwm) };
}

function runChild(env: NodeJS.ProcessEnv, flags: string[]): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const child = fork(path.join(import.meta.dirname, "collect-child.ts"), [], {
      env,
      execArgv: ["--import", "tsx", "--expose-gc", ...flags],
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    let result: ChildResult | undefined;
    const timer = setTimeout(() => child.kill("SIGKILL"), CHILD_TIMEOUT_MS);
    child.on("message", (m: ChildResult) => (result = m));
    child.on("error", reject);
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      if (result) resolve(result);
      else reject(new Error(`the collect child exited (${signal ?? code}) without a result`));
    });
  });
}
