import { spawn, spawnSync } from "node:child_process";
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

  it("lets exactly one of several processes racing for a free folder take it", async () => {
    const folder = dir();
    const script = `
      import { acquireDataFolderLock } from ${JSON.stringify(path.resolve("src/lib/db/pglite-lock.ts"))};
      try { acquireDataFolderLock(${JSON.stringify(folder)}); console.log("won"); setTimeout(() => {}, 1500); }
      catch (e) { console.log(e.name); }`;
    const racers = Array.from(
      { length: 6 },
      () =>
        new Promise<string>((resolve) => {
          const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
            stdio: ["ignore", "pipe", "inherit"],
          });
          let out = "";
          child.stdout.on("data", (d: Buffer) => (out += d.toString()));
          child.on("exit", () => resolve(out.trim()));
        }),
    );
    const results = await Promise.all(racers);
    expect(results.filter((r) => r === "won")).toHaveLength(1);
    expect(results.filter((r) => r === "DataFolderLockedError")).toHaveLength(5);
    expect(fs.existsSync(lockPathFor(folder))).toBe(false); // the winner released it at exit
  }, 30_000);
});
