import type { Simulator } from "./types";

/**
 * The app's AMAZON_* variables that point it at this simulator instead of Amazon: Login with Amazon
 * (Ads and SP-API tokens), the three regional Ads API hosts and the consent pages. What the CLI
 * prints, and what `npm run dev:sim` writes to `.env.simulator`.
 */
export function simulatorEnv(sim: Pick<Simulator, "tokenUrl" | "apiUrl" | "authorizeUrl">): Record<string, string> {
  return {
    AMAZON_ADS_TOKEN_URL: sim.tokenUrl,
    AMAZON_ADS_API_URL: sim.apiUrl.EU,
    AMAZON_ADS_API_URL_NA: sim.apiUrl.NA,
    AMAZON_ADS_API_URL_EU: sim.apiUrl.EU,
    AMAZON_ADS_API_URL_FE: sim.apiUrl.FE,
    AMAZON_ADS_AUTH_URL_NA: sim.authorizeUrl.NA,
    AMAZON_ADS_AUTH_URL_EU: sim.authorizeUrl.EU,
    AMAZON_ADS_AUTH_URL_FE: sim.authorizeUrl.FE,
    AMAZON_SP_TOKEN_URL: sim.tokenUrl,
  };
}
