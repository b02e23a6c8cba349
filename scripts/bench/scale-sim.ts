// Parent side of the scale run's simulator process (scale-sim-child.ts): start it, call it, stop it.
import { fork, type ChildProcess } from "node:child_process";
import path from "node:path";
import type { CallStats, ScaleOrg, ScaleSimCommand, ScaleSimConfig } from "./scale-protocol";
import type { SimReply, SimUrls } from "./sim-protocol";

export interface ScaleSim extends SimUrls {
  pid: number;
  config: ScaleSimConfig;
  accounts(): Promise<ScaleOrg[]>;
  /** No reports, an empty request log, the starting scenario and faults (issued tokens stay valid). */
  reset(): Promise<void>;
  /** Rows a single-day report of each (profile, date) holds (the simulator's truth). */
  truth(pairs: Array<[string, string]>): Promise<number[]>;
  calls(stormClientIds: string[]): Promise<CallStats>;
  close(): Promise<void>;
}

export async function startScaleSim(config: ScaleSimConfig): Promise<ScaleSim> {
  const child = fork(path.join(import.meta.dirname, "scale-sim-child.ts"), [JSON.stringify(config)], {
    execArgv: ["--import", "tsx", "--max-old-space-size=4096"],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let nextId = 1;
  const ready = new Promise<SimUrls>((resolve, reject) => {
    waiting.set(0, { resolve: (v) => resolve(v as SimUrls), reject });
  });
  child.on("message", (reply: SimReply) => {
    const w = waiting.get(reply.id);
    waiting.delete(reply.id);
    if (reply.ok) w?.resolve(reply.result);
    else w?.reject(new Error(`simulator: ${reply.error}`));
  });
  child.on("exit", (code) => {
    for (const w of waiting.values()) w.reject(new Error(`the simulator process exited (${code})`));
    waiting.clear();
  });
  const call = <T>(command: ScaleSimCommand): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const id = nextId++;
      waiting.set(id, { resolve: (v) => resolve(v as T), reject });
      child.send({ id, command });
    });
  const urls = await ready;
  return {
    ...urls,
    pid: child.pid!,
    config,
    accounts: () => call({ op: "accounts" }),
    reset: () => call({ op: "reset" }),
    truth: (pairs) => call({ op: "truth", pairs }),
    calls: (stormClientIds) => call({ op: "calls", stormClientIds }),
    close: () => closeChild(child, call),
  };
}

async function closeChild(child: ChildProcess, call: (c: ScaleSimCommand) => Promise<unknown>): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  await call({ op: "close" }).catch(() => {});
  // A simulator that does not stop within 5 s is killed (by its own pid only).
  const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
  await exited;
  clearTimeout(timer);
}
