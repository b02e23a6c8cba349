// Parent side of the simulator process: start it, call it, stop it.
import { fork, type ChildProcess } from "node:child_process";
import path from "node:path";
import type { Scenario } from "../../tools/amazon-ads-simulator/index";
import type { SimCommand, SimReply, SimRequest, SimUrls } from "./sim-protocol";

export interface SimProcess extends SimUrls {
  pid: number;
  setProfileCampaigns(campaigns: number): Promise<void>;
  setScenario(patch: Partial<Scenario>): Promise<void>;
  reset(): Promise<void>;
  clearRequests(): Promise<void>;
  requests(): Promise<SimRequest[]>;
  /** Rows a single-day report of the default profile holds now (~9 in 10 campaigns have activity). */
  expectedCount(date: string): Promise<number>;
  /** Serve a report file fetched once from memory afterwards (see s3-front.ts); off = plain pass-through. */
  cacheDownloads(on: boolean): Promise<void>;
  close(): Promise<void>;
}

export async function startSimProcess(): Promise<SimProcess> {
  const child = fork(path.join(import.meta.dirname, "sim-child.ts"), [], {
    execArgv: ["--import", "tsx"],
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
  const call = <T>(command: SimCommand): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const id = nextId++;
      waiting.set(id, { resolve: (v) => resolve(v as T), reject });
      child.send({ id, command });
    });
  const urls = await ready;
  return {
    ...urls,
    pid: child.pid!,
    setProfileCampaigns: (campaigns) => call({ op: "setProfileCampaigns", campaigns }),
    setScenario: (patch) => call({ op: "setScenario", patch }),
    reset: () => call({ op: "reset" }),
    clearRequests: () => call({ op: "clearRequests" }),
    requests: () => call({ op: "requests" }),
    expectedCount: (date) => call({ op: "expectedCount", date }),
    cacheDownloads: (on) => call({ op: "cacheDownloads", on }),
    close: () => closeChild(child, call),
  };
}

async function closeChild(child: ChildProcess, call: (c: SimCommand) => Promise<unknown>): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  await call({ op: "close" }).catch(() => {});
  // A simulator that does not stop within 5 s is killed (by its own pid only).
  const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
  await exited;
  clearTimeout(timer);
}
