// CPU time of the PostgreSQL backends serving the benchmark's database, read from /proc (the bench's
// server runs on this machine): next to a collect's wall time it says how busy the database was,
// which is where the collect's time goes once parsing overlaps it. Null where /proc does not show
// the backends (another OS, or a server elsewhere).
import fs from "node:fs";
import { sql } from "drizzle-orm";
import type { Db } from "../../src/lib/db";

const TICKS_PER_SECOND = 100; // Linux's USER_HZ, the unit of utime and stime in /proc/<pid>/stat

export type CpuSnapshot = Map<number, number> | null;

export async function backendCpu(db: Db): Promise<CpuSnapshot> {
  const result = (await db.execute(
    sql`select pid from pg_stat_activity where datname = current_database()`,
  )) as unknown as {
    rows: Array<{ pid: number }>;
  };
  const snapshot = new Map<number, number>();
  for (const { pid } of result.rows) {
    try {
      if (!fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").startsWith("postgres")) return null;
      const fields = fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
      snapshot.set(pid, ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND);
    } catch {
      return null;
    }
  }
  return snapshot;
}

/** CPU ms the backends used between two snapshots (a backend that started in between counts whole). */
export function cpuBetween(before: CpuSnapshot, after: CpuSnapshot): number | null {
  if (!before || !after) return null;
  let ms = 0;
  for (const [pid, t] of after) ms += t - (before.get(pid) ?? 0);
  return ms;
}

/** The collect process's own CPU (this process: the simulator and its S3 stand-in run in another). */
export function processCpuMs(since: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1000;
}
