// CPU over a scale run, to tell a slow run from a saturated machine: this process (the workers), the
// simulator's process, and the whole machine (PostgreSQL and anything else running on it). Linux /proc;
// null elsewhere.
import fs from "node:fs";
import os from "node:os";

const TICKS_PER_SECOND = 100; // USER_HZ, the unit of /proc/<pid>/stat and /proc/stat

export interface CpuFigures {
  wallMs: number;
  appMs: number;
  simMs: number | null;
  /** Busy share of all the machine's cores (1 = every core busy all the time). */
  machineBusy: number | null;
  cores: number;
}

function processMs(pid: number): number | null {
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
  } catch {
    return null;
  }
}

function machineTicks(): { busy: number; total: number } | null {
  try {
    const fields = fs.readFileSync("/proc/stat", "utf8").split("\n")[0]!.trim().split(/\s+/).slice(1).map(Number);
    const total = fields.slice(0, 8).reduce((a, b) => a + b, 0);
    return { busy: total - fields[3]! - fields[4]!, total };
  } catch {
    return null;
  }
}

export function cpuMeter(simPid: number): { stop(): CpuFigures } {
  const started = performance.now();
  const app = process.cpuUsage();
  const sim = processMs(simPid);
  const machine = machineTicks();
  return {
    stop() {
      const used = process.cpuUsage(app);
      const simNow = processMs(simPid);
      const machineNow = machineTicks();
      return {
        wallMs: performance.now() - started,
        appMs: (used.user + used.system) / 1000,
        simMs: sim !== null && simNow !== null ? simNow - sim : null,
        machineBusy:
          machine && machineNow ? (machineNow.busy - machine.busy) / (machineNow.total - machine.total) : null,
        cores: os.availableParallelism(),
      };
    },
  };
}
