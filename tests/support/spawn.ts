import { spawn } from "node:child_process";
import path from "node:path";

export interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

const TSX = path.resolve("node_modules/.bin/tsx");

/** Runs a repo script the way `npm run …` does (tsx), with extra env; resolves when it exits. */
export function runScript(script: string, args: string[], env: Record<string, string | undefined>, timeoutMs = 120_000): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(TSX, [script, ...args], { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
