// npm run dev:sim [-- --sim-port N] [--sim-log] [next dev options]: the Amazon simulator and `next dev`
// wired to it, the wiring also written to .env.simulator for `npm run ads:sim`. Ctrl-C stops both.
import path from "node:path";
import { SIM_DEFAULTS } from "../tools/amazon-ads-simulator/index";
import { DEV_SIM_ENV_FILE, DEV_SIM_PORT, startDevSim } from "./lib/dev-sim";

const USAGE = `Usage: npm run dev:sim -- [--sim-port N] [--sim-log] [next dev options, e.g. -p 3001]

  --sim-port N   simulator port (default ${DEV_SIM_PORT}, a free one if it is taken; 0 = any free port)
  --sim-log      log the simulator's requests
  --help         show this help

Starts the Amazon simulator, writes its AMAZON_* wiring to ${DEV_SIM_ENV_FILE} and runs \`next dev\` with it.
In another terminal, \`npm run ads:sim -- …\` runs the CLI with the same wiring.`;

function parse(argv: string[]): { port: number; simulatorLog: boolean; nextArgs: string[] } | "help" {
  let port = DEV_SIM_PORT;
  let simulatorLog = false;
  const nextArgs: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--help" || arg === "-h") return "help";
    if (arg === "--sim-log") simulatorLog = true;
    else if (arg === "--sim-port" || arg.startsWith("--sim-port=")) {
      const raw = arg.includes("=") ? arg.slice(arg.indexOf("=") + 1) : argv[++i];
      port = Number(raw);
      if (!Number.isInteger(port) || port < 0 || port > 65535)
        throw new Error(`--sim-port must be a port, got "${raw}"`);
    } else nextArgs.push(arg);
  }
  return { port, simulatorLog, nextArgs };
}

async function main(): Promise<void> {
  let options: ReturnType<typeof parse>;
  try {
    options = parse(process.argv.slice(2));
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${USAGE}`);
    process.exit(2);
  }
  if (options === "help") {
    console.log(USAGE);
    return;
  }
  const root = path.resolve(import.meta.dirname, "..");
  const devSim = await startDevSim({
    port: options.port,
    envFile: path.join(root, DEV_SIM_ENV_FILE),
    simulatorLog: options.simulatorLog,
    app: { command: path.join(root, "node_modules", ".bin", "next"), args: ["dev", ...options.nextArgs] },
  });
  console.log(`Amazon simulator on ${devSim.simulator.baseUrl}; wiring in ${DEV_SIM_ENV_FILE} (for \`npm run ads:sim -- …\`).
Settings → Amazon Ads API → Connect with Amazon signs in with the simulator's app (the operator's app here,
AMAZON_ADS_CLIENT_ID/SECRET): nothing to type. Or enter its credentials by hand (fake):
  client id      ${SIM_DEFAULTS.clientId}
  client secret  ${SIM_DEFAULTS.clientSecret}
  refresh token  ${SIM_DEFAULTS.refreshToken}
  profile id     ${SIM_DEFAULTS.profileId} (EU; \`npm run simulator -- --help\` lists the other tenants)
Starting next dev. Ctrl-C stops both.
`);

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) {
      // A second Ctrl-C: do not wait for a graceful stop.
      process.exit(130);
    }
    stopping = true;
    console.log(`\n${signal}: stopping next dev and the simulator.`);
    devSim.stop(signal).then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.on(signal, () => stop(signal));

  const exited = await devSim.appExited;
  if (stopping) return;
  // The app stopped by itself (crashed, or next dev refused to start): the simulator goes with it.
  await devSim.stop();
  console.error(`next dev exited (${exited.signal ?? `code ${exited.code}`}); the simulator is closed.`);
  process.exit(exited.code ?? 1);
}

await main();
