import fs from "node:fs";
import path from "node:path";
import { createFileWhole } from "../files/create-file-whole";

/** PGlite has no cross-process lock: two processes on one folder silently lose writes, so a lock file stops the second. */
export class DataFolderLockedError extends Error {
  constructor(dataDir: string, ownerPid: number, ownerCommand: string) {
    super(
      `The PGlite data folder ${dataDir} is in use by process ${ownerPid} (${ownerCommand}). ` +
        `PGlite allows one process per folder: stop that process first, or point both at a PostgreSQL ` +
        `server with DATABASE_URL. (Another PGLITE_DIR would be another, empty database.)`,
    );
    this.name = "DataFolderLockedError";
  }
}

export function lockPathFor(dataDir: string): string {
  return `${path.resolve(dataDir)}.lock`;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

function readOwner(lockPath: string): { pid: number; command: string } | null {
  try {
    const owner = JSON.parse(fs.readFileSync(lockPath, "utf8")) as { pid?: unknown; command?: unknown };
    return typeof owner.pid === "number" ? { pid: owner.pid, command: String(owner.command ?? "?") } : null;
  } catch {
    return null;
  }
}

/** Takes the lock or throws DataFolderLockedError. Returns a release function. Stale locks (dead PID) are taken over. */
export function acquireDataFolderLock(dataDir: string): () => void {
  const lockPath = lockPathFor(dataDir);
  fs.mkdirSync(path.dirname(lockPath), { recursive: true });
  const me = {
    pid: process.pid,
    command: process.argv.slice(1).join(" ").slice(0, 200),
    startedAt: new Date().toISOString(),
  };
  for (let attempt = 0; attempt < 3; attempt++) {
    // Created whole: a rival never sees the lock empty, which it would take for stale.
    if (createFileWhole(lockPath, JSON.stringify(me))) {
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        process.off("exit", release); // a process that opens and closes the folder often keeps no listener per open
        if (readOwner(lockPath)?.pid === process.pid) fs.rmSync(lockPath, { force: true });
      };
      process.once("exit", release);
      return release;
    }
    const owner = readOwner(lockPath);
    if (owner && owner.pid !== process.pid && isAlive(owner.pid))
      throw new DataFolderLockedError(path.resolve(dataDir), owner.pid, owner.command);
    // Stale (owner gone or unreadable) or our own leftover: remove and try again.
    fs.rmSync(lockPath, { force: true });
  }
  throw new Error(`Could not take the lock ${lockPath}`);
}
