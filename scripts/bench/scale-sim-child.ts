// The Amazon simulator for `npm run bench -- scale`, in its own process (it plays Amazon and S3, which
// run on other machines in production; here its report generation must not share the workers' event
// loop). Started by scale-sim.ts with a ScaleSimConfig as its one argument; steered over IPC.
import crypto from "node:crypto";
import { simScaleAccounts, startSimulator, type SimClient } from "../../tools/amazon-ads-simulator/index";
import { callStats } from "./scale-calls";
import type { Fault, ScaleOrg, ScaleSimCommand, ScaleSimConfig } from "./scale-protocol";

const config = JSON.parse(process.argv[2] ?? "{}") as ScaleSimConfig;

/** Uniform in [0, 1) from a profile id: the same account size on every run and in both processes. */
function uniformOf(text: string): number {
  return crypto.createHash("sha256").update(text).digest().readUInt32BE(0) / 2 ** 32;
}

/**
 * Evenly spread: revoked tokens at the middle of each block of 1/share organisations, the storms right
 * after (none with `storms` false: one app for all would be throttled as a whole).
 */
function faultOf(index: number, organisations: number, share: number, storms: boolean): Fault {
  const count = Math.max(1, Math.round(organisations * share));
  for (let k = 0; k < count; k++) {
    const at = Math.floor(((k + 0.5) * organisations) / count);
    if (index === at) return "revoked";
    if (storms && index === (at + 1) % organisations) return "storm";
  }
  return null;
}

const { clients, profiles } = simScaleAccounts(config.organisations, {
  seed: config.seed,
  sharedClient: config.sharedClient,
});
const campaignsOf = new Map<string, number>();
for (const profile of profiles) {
  profile.campaigns = Math.round(5 * 1000 ** (uniformOf(`${config.seed}:${profile.profileId}`) ** config.campaignSkew));
  campaignsOf.set(profile.profileId, profile.campaigns);
}
const orgs: ScaleOrg[] = clients.map((c: SimClient, index) => ({
  index,
  clientId: c.clientId,
  clientSecret: c.clientSecret,
  refreshToken: c.refreshToken,
  profileIds: c.profileIds,
  campaigns: c.profileIds.map((id) => campaignsOf.get(id) ?? 0),
  fault: faultOf(index, config.organisations, config.faultyShare, !config.sharedClient),
}));
for (const org of orgs) if (org.fault === "storm") clients[org.index]!.storm429 = {};

const sim = await startSimulator({
  clients,
  profiles,
  quiet: true,
  scenario: {
    apiLatencyMs: config.apiLatencyMs,
    tokenLatencyMs: config.tokenLatencyMs,
    generationMs: config.generationMs,
    revokedRefreshTokens: orgs.filter((o) => o.fault === "revoked").map((o) => o.refreshToken),
    ...(config.clientRateLimit ? { clientRateLimit: config.clientRateLimit } : {}),
  },
});
const close = () => sim.close().then(() => process.exit(0));

function handle(command: ScaleSimCommand): unknown {
  switch (command.op) {
    case "accounts":
      return orgs;
    case "reset":
      sim.reset();
      return null;
    case "truth":
      return command.pairs.map(([profileId, date]) => sim.expectedRowCount(profileId, date, date));
    case "calls":
      return callStats(sim.requests, sim.reports(), new Set(command.stormClientIds), orgs);
    case "close":
      void close();
      return null;
  }
}

process.on("message", (message: { id: number; command: ScaleSimCommand }) => {
  let reply;
  try {
    reply = { id: message.id, ok: true, result: handle(message.command) };
  } catch (error) {
    reply = { id: message.id, ok: false, error: (error as Error).message };
  }
  process.send?.(reply);
});
process.on("disconnect", () => void close());
process.send?.({
  id: 0,
  ok: true,
  result: { baseUrl: sim.baseUrl, tokenUrl: sim.tokenUrl, apiUrl: sim.apiUrl },
});
