import type { IncomingMessage, ServerResponse } from "node:http";
import { authenticateClient } from "./ads-auth";
import { delay, RawJsonNumber, sendJson } from "./http-util";
import type { SimulatorState } from "./state";
import type { Region } from "./types";

// GET /v2/profiles: no Scope header needed; lists only the caller's profiles whose marketplace is in this host's region.

export async function handleListProfiles(
  state: SimulatorState,
  request: IncomingMessage,
  response: ServerResponse,
  region: Region,
): Promise<void> {
  await delay(state.scenario.apiLatencyMs, state.closing.signal);
  const clientId = authenticateClient(state, request, response);
  if (clientId === null) return;
  const profiles = [...state.profiles.values()]
    .map((entry) => entry.profile)
    .filter((profile) => profile.region === region && state.clientCanUse(clientId, profile.profileId))
    .map((profile) => ({
      profileId: new RawJsonNumber(profile.profileId),
      countryCode: profile.countryCode,
      currencyCode: profile.currencyCode,
      dailyBudget: new RawJsonNumber("999999999.0"),
      timezone: profile.timezone,
      accountInfo: {
        marketplaceStringId: profile.accountInfo.marketplaceStringId,
        id: profile.accountInfo.id,
        type: profile.accountInfo.type,
        name: profile.accountInfo.name,
        validPaymentMethod: true,
      },
    }));
  sendJson(response, 200, profiles);
}
