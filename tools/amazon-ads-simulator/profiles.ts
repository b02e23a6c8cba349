import type { IncomingMessage, ServerResponse } from "node:http";
import { authenticateClient } from "./ads-auth";
import { delay, RawJsonNumber, sendJson } from "./http-util";
import { latencyMs } from "./scenario";
import type { SimulatorState } from "./state";
import { answerClientThrottle } from "./throttle";
import type { Region } from "./types";

// GET /v2/profiles: no Scope header needed; lists only the calling login's profiles (those of the refresh token the
// access token was issued for, not every login's of the app) whose marketplace is in this host's region.
// By default Amazon lists the profiles the login may view and edit campaigns of; `apiProgram=report` (with
// `accessLevel=view`, as clients send it) lists those whose reports it may read instead. The simulator has one
// reporting right per profile (`reportAccess`), so any accessLevel with apiProgram=report filters the same way;
// agencies keep their place in both lists, as a client must skip them by `accountInfo.type`. Other query
// parameters are ignored.

export async function handleListProfiles(
  state: SimulatorState,
  request: IncomingMessage,
  response: ServerResponse,
  region: Region,
): Promise<void> {
  await delay(latencyMs(state.scenario.apiLatencyMs), state.closing.signal);
  const login = authenticateClient(state, request, response);
  if (login === null) return;
  if (answerClientThrottle(state, login.clientId, response)) return;
  const reportListing =
    new URL(request.url ?? "/", "http://simulator.invalid").searchParams.get("apiProgram") === "report";
  const profiles = state
    .profilesOf(login.refreshToken)
    .filter((profile) => profile.region === region)
    .filter((profile) => !reportListing || profile.reportAccess !== false)
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
