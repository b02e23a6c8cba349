import { parseArgs } from "node:util";
import {
  SIM_DEFAULT_CLIENTS,
  SIM_DEFAULT_PROFILES,
  SIM_DEFAULTS,
  SIM_MULTI_CLIENT,
  SIM_MULTI_PROFILE_IDS,
  SIM_SECOND_CLIENT,
} from "./defaults";
import { startSimulator } from "./server";
import { simulatorEnv } from "./wiring";
import type { Scenario, SimulatorOptions } from "./types";

const USAGE = `Amazon Ads simulator: Login with Amazon, Ads reporting v3 and the S3 report download, on one local port.

Usage: npm run simulator -- [options]

  --port N              port to listen on (default 4455; 0 = any free port)
  --host HOST           interface to bind (default 127.0.0.1)
  --campaigns N         campaigns per profile (default 12, up to 200000)
  --polls N             status polls answered PENDING/PROCESSING before COMPLETED (default 1)
  --scenario-json JSON  a partial scenario, e.g. '{"create429":{"count":2,"retryAfterSeconds":1}}'
  --quiet               do not log requests
  --help                show this help

While running: POST /__admin/scenario (JSON patch), POST /__admin/reset, GET /__admin/requests,
GET /__admin/reports, POST /__admin/profiles {"profileId":"…","campaigns":N},
POST /__admin/profiles/add {"clientId":"…","refreshToken"?:"…","profile":{…}},
POST /__admin/profiles/remove {"clientId":"…","refreshToken"?:"…","profileId":"…"} (without refreshToken: the
app's first login), POST /__admin/clients/faults {"clientId":"…","storm429":{"retryAfterSeconds":N}} (null = off).
Per-client-id rate limit: --scenario-json '{"clientRateLimit":{"perSecond":5,"burst":10,"retryAfterSeconds":1}}'.`;

function integerOption(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new Error(`--${name} must be a non-negative integer, got "${raw}"`);
  return value;
}

function parseOptions(argv: string[]): SimulatorOptions | "help" {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: "string" },
      host: { type: "string" },
      campaigns: { type: "string" },
      polls: { type: "string" },
      "scenario-json": { type: "string" },
      quiet: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
  });
  if (values.help) return "help";
  const scenario: Partial<Scenario> = values["scenario-json"]
    ? (JSON.parse(values["scenario-json"]) as Partial<Scenario>)
    : {};
  if (values.polls !== undefined) scenario.pollsBeforeComplete = integerOption("polls", values.polls, 1);
  const campaigns = values.campaigns === undefined ? undefined : integerOption("campaigns", values.campaigns, 12);
  return {
    port: integerOption("port", values.port, 4455),
    host: values.host ?? "127.0.0.1",
    // Resized profiles with the default clients, so every tenant keeps exactly its own profiles.
    profiles:
      campaigns === undefined
        ? undefined
        : SIM_DEFAULT_PROFILES.map((profile) => ({
            ...profile,
            // An agency has no campaigns of its own, whatever the size asked for.
            campaigns: profile.accountInfo.type === "agency" ? 0 : campaigns,
          })),
    clients: campaigns === undefined ? undefined : SIM_DEFAULT_CLIENTS.map((client) => structuredClone(client)),
    scenario,
    quiet: values.quiet ?? false,
  };
}

async function main(): Promise<void> {
  let options: SimulatorOptions | "help";
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${USAGE}`);
    process.exitCode = 2;
    return;
  }
  if (options === "help") {
    console.log(USAGE);
    return;
  }
  const simulator = await startSimulator(options);
  console.log(`Amazon Ads simulator listening on ${simulator.baseUrl}

Point the app at it (\`npm run dev:sim\` does this for you):
${Object.entries(simulatorEnv(simulator))
  .map(([name, value]) => `${name}=${value}`)
  .join("\n")}

Default credentials (fake; only this simulator accepts them):
  client id      ${SIM_DEFAULTS.clientId}
  client secret  ${SIM_DEFAULTS.clientSecret}
  refresh token  ${SIM_DEFAULTS.refreshToken}
  profile id     ${SIM_DEFAULTS.profileId} (EU, GB; the same client also sees NA profile 1111222233334444)
Second tenant:
  client id      ${SIM_SECOND_CLIENT.clientId}
  client secret  ${SIM_SECOND_CLIENT.clientSecret}
  refresh token  ${SIM_SECOND_CLIENT.refreshToken}
  profile id     ${SIM_SECOND_CLIENT.profileIds.join(", ")} (EU, DE)
Multi-marketplace tenant:
  client id      ${SIM_MULTI_CLIENT.clientId}
  client secret  ${SIM_MULTI_CLIENT.clientSecret}
  refresh token  ${SIM_MULTI_CLIENT.refreshToken}
  profile ids    EU ${SIM_MULTI_PROFILE_IDS.GB} (GB), ${SIM_MULTI_PROFILE_IDS.DE} (DE, GB's campaign ids), \
${SIM_MULTI_PROFILE_IDS.AGENCY_FR} (FR agency);
                 NA ${SIM_MULTI_PROFILE_IDS.US} (US), ${SIM_MULTI_PROFILE_IDS.VENDOR_CA_NO_REPORTS} (CA vendor, no report access); \
FE ${SIM_MULTI_PROFILE_IDS.JP} (JP)

Ctrl+C to stop.`);

  const shutdown = (signal: string): void => {
    console.log(`\n${signal} received, closing the simulator.`);
    simulator.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.once("SIGINT", () => shutdown("SIGINT"));
  process.once("SIGTERM", () => shutdown("SIGTERM"));
}

await main();
