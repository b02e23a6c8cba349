import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { acquireDataFolderLock, DataFolderLockedError, lockPathFor } from "@/lib/db/pglite-lock";

describe("PGlite data-folder lock", () => {
  const dir = () => path.join(fs.mkdtempSync(path.join(os.tmpdir(), "lock-")), "pglite");

  it("refuses a second owner while the first is alive, naming its PID", () => {
    const folder = dir();
    // A live foreign owner: this test runner's parent process.
    fs.writeFileSync(lockPathFor(folder), JSON.stringify({ pid: process.ppid, command: "next start", startedAt: "" }));
    expect(() => acquireDataFolderLock(folder)).toThrow(DataFolderLockedError);
    expect(() => acquireDataFolderLock(folder)).toThrow(new RegExp(`process ${process.ppid} \\(next start\\)`));
  });

  it("takes over a stale lock whose owner is dead, and releases it", () => {
    const folder = dir();
    const dead = spawnSync(process.execPath, ["-e", "0"]).pid!;
    fs.writeFileSync(lockPathFor(folder), JSON.stringify({ pid: dead, command: "crashed", startedAt: "" }));
    const release = acquireDataFolderLock(folder);
    expect(JSON.parse(fs.readFileSync(lockPathFor(folder), "utf8")).pid).toBe(process.pid);
    release();
    expect(fs.existsSync(lockPathFor(folder))).toBe(false);
  });
});
