import { afterAll, beforeAll } from "vitest";
import {
  SIM_DEFAULTS,
  startSimulator,
  type Simulator,
  type SimulatorOptions,
} from "../../tools/amazon-ads-simulator/index";

/** Starts the Amazon simulator for the calling test file and points the app's Amazon URLs at it. */
export function setupSimulator(options: Omit<SimulatorOptions, "quiet"> = {}): { sim: () => Simulator } {
  let sim: Simulator | undefined;
  beforeAll(async () => {
    sim = await startSimulator({ ...options, quiet: true });
    process.env.AMAZON_ADS_TOKEN_URL = sim.tokenUrl;
    process.env.AMAZON_SP_TOKEN_URL = sim.tokenUrl;
    process.env.AMAZON_ADS_API_URL_NA = sim.apiUrl.NA;
    process.env.AMAZON_ADS_API_URL_EU = sim.apiUrl.EU;
    process.env.AMAZON_ADS_API_URL_FE = sim.apiUrl.FE;
  });
  afterAll(async () => {
    await sim?.close();
  });
  return {
    sim: () => {
      if (!sim) throw new Error("simulator not started");
      return sim;
    },
  };
}

export const SIM_ADS_SETTINGS = {
  client_id: SIM_DEFAULTS.clientId,
  client_secret: SIM_DEFAULTS.clientSecret,
  refresh_token: SIM_DEFAULTS.refreshToken,
  profile_id: SIM_DEFAULTS.profileId,
  profiles: "listed" as const,
  region: "EU" as const,
};
