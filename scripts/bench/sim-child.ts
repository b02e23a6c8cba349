// The Amazon simulator in its own process for the benchmark, behind the S3 front (s3-front.ts). It
// plays Amazon and S3, which run on other machines in production: in the bench's process its report
// generation would share one event loop with the parser being measured. Steered over IPC by sim-process.ts.
import { SIM_DEFAULTS, startSimulator } from "../../tools/amazon-ads-simulator/index";
import { startS3Front } from "./s3-front";
import type { SimCommand, SimReply } from "./sim-protocol";

const sim = await startSimulator({ quiet: true });
const front = await startS3Front(sim.baseUrl);
const close = () => Promise.all([front.close(), sim.close()]).then(() => process.exit(0));

function handle(command: SimCommand): unknown {
  switch (command.op) {
    case "setProfileCampaigns":
      sim.setProfileCampaigns(SIM_DEFAULTS.profileId, command.campaigns);
      return null;
    case "setScenario":
      sim.setScenario(command.patch);
      return null;
    case "reset":
      sim.reset();
      return null;
    case "clearRequests":
      sim.requests.length = 0;
      return null;
    case "requests":
      return sim.requests.map((r) => ({ method: r.method, path: r.path, time: r.time, endTime: r.endTime }));
    case "expectedCount":
      return sim.expectedRows(SIM_DEFAULTS.profileId, command.date, command.date, ["campaignId"]).length;
    case "cacheDownloads":
      front.setCaching(command.on);
      return null;
    case "close":
      void close();
      return null;
  }
}

process.on("message", (message: { id: number; command: SimCommand }) => {
  let reply: SimReply;
  try {
    reply = { id: message.id, ok: true, result: handle(message.command) };
  } catch (error) {
    reply = { id: message.id, ok: false, error: (error as Error).message };
  }
  process.send?.(reply);
});
// The parent going away (Ctrl+C, crash) must not leave the simulator running.
process.on("disconnect", () => void close());
// The app talks to the Ads API through the front (so report URLs lead to it); the token endpoint directly.
const api = (region: string) => `${front.baseUrl}/${region}`;
process.send?.({
  id: 0,
  ok: true,
  result: { baseUrl: sim.baseUrl, tokenUrl: sim.tokenUrl, apiUrl: { NA: api("na"), EU: api("eu"), FE: api("fe") } },
});
