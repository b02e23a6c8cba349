import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { SIM_DEFAULTS, simulatorEnv, startSimulator, type Simulator } from "../../tools/amazon-ads-simulator/index";

// `npm run dev:sim`: the Amazon simulator and the app, wired together. The wiring (the AMAZON_*
// variables) goes into the app's environment and into a file that `npm run ads:sim` hands to the CLI
// with Node's --env-file, so a second terminal talks to the same simulator.

/** The simulator's usual port (as `npm run simulator`), so `.env.simulator` stays valid across runs. */
export const DEV_SIM_PORT = 4455;
export const DEV_SIM_ENV_FILE = ".env.simulator";
/** How long the app gets to stop after the signal before its process group is killed. */
const STOP_GRACE_MS = 10_000;

export interface DevSimOptions {
  /** Simulator port; 0 = any free port. The default port falls back to a free one when it is taken. */
  port?: number;
  /** Where to write the wiring (default `.env.simulator` in the working directory). */
  envFile?: string;
  /** The app: command and arguments, started with the wiring added to this process's environment. */
  app: { command: string; args: string[] };
  /** Log the simulator's requests. */
  simulatorLog?: boolean;
  log?: (line: string) => void;
}

export interface DevSim {
  simulator: Simulator;
  /**
   * The AMAZON_* variables the app was started with, as written to `envFile`: the simulator's addresses,
   * and its default app as the operator's app, so Connect with Amazon needs nothing typed.
   */
  wiring: Record<string, string>;
  envFile: string;
  app: ChildProcess;
  /** Settles when the app has exited (by itself or through `stop`), with its exit code or signal. */
  appExited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Sends `signal` to the app's process group, waits for it (killing it after a grace period), closes the simulator. */
  stop: (signal?: NodeJS.Signals) => Promise<void>;
}

/** The wiring as an env file: one NAME=value a line, what Node's --env-file and `util.parseEnv` read. */
export function envFileText(wiring: Record<string, string>): string {
  const lines = Object.entries(wiring).map(([name, value]) => `${name}=${value}`);
  return (
    "# Written by `npm run dev:sim`: points the app and `npm run ads:sim` at the Amazon simulator.\n" +
    "# Regenerated on every start; not committed.\n" +
    `${lines.join("\n")}\n`
  );
}

async function startOnPort(port: number, simulatorLog: boolean, log: (line: string) => void): Promise<Simulator> {
  const options = { port, host: "127.0.0.1", quiet: !simulatorLog };
  try {
    return await startSimulator(options);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EADDRINUSE" || port !== DEV_SIM_PORT) throw error;
    log(`Port ${port} is taken (another simulator?); the simulator takes a free port instead.`);
    return startSimulator({ ...options, port: 0 });
  }
}

export async function startDevSim(options: DevSimOptions): Promise<DevSim> {
  const log = options.log ?? ((line: string) => console.log(line));
  const simulator = await startOnPort(options.port ?? DEV_SIM_PORT, options.simulatorLog ?? false, log);
  const wiring = {
    ...simulatorEnv(simulator),
    AMAZON_ADS_CLIENT_ID: SIM_DEFAULTS.clientId,
    AMAZON_ADS_CLIENT_SECRET: SIM_DEFAULTS.clientSecret,
  };
  const envFile = path.resolve(options.envFile ?? DEV_SIM_ENV_FILE);
  try {
    const draft = `${envFile}.${process.pid}.tmp`;
    fs.writeFileSync(draft, envFileText(wiring));
    fs.renameSync(draft, envFile);
  } catch (error) {
    await simulator.close();
    throw error;
  }

  // Its own process group: Ctrl-C reaches us only, and we stop the app with everything it started
  // (next dev runs its server in a child process).
  const app = spawn(options.app.command, options.app.args, {
    env: { ...process.env, ...wiring },
    stdio: ["ignore", "inherit", "inherit"],
    detached: true,
  });
  const appExited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    app.once("exit", (code, signal) => resolve({ code, signal }));
    app.once("error", (error) => {
      log(`Could not start ${options.app.command}: ${error.message}`);
      resolve({ code: 1, signal: null });
    });
  });
  const running = () => app.pid !== undefined && app.exitCode === null && app.signalCode === null;
  /** Signals the app's process group; false when nothing of it is left (signal 0 only asks). */
  const signalGroup = (signal: NodeJS.Signals | 0): boolean => {
    try {
      if (app.pid !== undefined) process.kill(-app.pid, signal);
      return app.pid !== undefined;
    } catch {
      return false; // already gone
    }
  };
  // A crash of this process must not leave the app running.
  const onExit = () => signalGroup("SIGKILL");
  process.once("exit", onExit);

  let stopping: Promise<void> | null = null;
  const stop = (signal: NodeJS.Signals = "SIGINT") =>
    (stopping ??= (async () => {
      if (running()) signalGroup(signal);
      // The app's own children (next dev's server, which releases the PGlite folder) may outlive it by a moment.
      const deadline = Date.now() + STOP_GRACE_MS;
      const grace = setTimeout(() => signalGroup("SIGKILL"), STOP_GRACE_MS);
      await appExited;
      while (signalGroup(0) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
      clearTimeout(grace);
      signalGroup("SIGKILL");
      process.off("exit", onExit);
      await simulator.close();
    })());

  return { simulator, wiring, envFile, app, appExited, stop };
}
