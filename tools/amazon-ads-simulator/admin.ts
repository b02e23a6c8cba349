import type { IncomingMessage, ServerResponse } from "node:http";
import { sendJson } from "./http-util";
import type { SimulatorState } from "./state";
import type { Region, Scenario, SimClient, SimClientFaults, SimProfile } from "./types";

// Not part of Amazon: /__admin lets the CLI user and out-of-process tests steer the simulator. Never recorded.

function parseJsonObject(body: string): Record<string, unknown> | null {
  try {
    const parsed: unknown = JSON.parse(body || "{}");
    return parsed !== null && typeof parsed === "object" && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}

const ACCOUNT_TYPES = new Set(["seller", "vendor", "agency"]);
const REGIONS = new Set<string>(["NA", "EU", "FE"] satisfies Region[]);

/** A SimProfile from JSON, or the reason it is not one. Ids must be strings: JSON numbers lose digits past 2^53. */
function parseProfile(value: unknown): SimProfile | string {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return "profile must be an object";
  const input = value as Record<string, unknown>;
  const info = input.accountInfo as Record<string, unknown> | undefined;
  const text = (field: unknown): field is string => typeof field === "string" && field.length > 0;
  if (!text(input.profileId) || !/^\d+$/.test(input.profileId)) return "profile.profileId must be a string of digits";
  if (!text(input.region) || !REGIONS.has(input.region)) return "profile.region must be NA, EU or FE";
  for (const key of ["countryCode", "currencyCode", "timezone"] as const) {
    if (!text(input[key])) return `profile.${key} must be a string`;
  }
  if (info === null || typeof info !== "object") return "profile.accountInfo must be an object";
  for (const key of ["marketplaceStringId", "id", "name"] as const) {
    if (!text(info[key])) return `profile.accountInfo.${key} must be a string`;
  }
  if (!text(info.type) || !ACCOUNT_TYPES.has(info.type)) {
    return "profile.accountInfo.type must be seller, vendor or agency";
  }
  if (input.campaigns !== undefined && typeof input.campaigns !== "number") return "profile.campaigns must be a number";
  if (input.reportAccess !== undefined && typeof input.reportAccess !== "boolean") {
    return "profile.reportAccess must be a boolean";
  }
  if (input.campaignIdsFrom !== undefined && !text(input.campaignIdsFrom)) {
    return "profile.campaignIdsFrom must be a profile id string";
  }
  return {
    profileId: input.profileId,
    region: input.region as Region,
    countryCode: input.countryCode as string,
    currencyCode: input.currencyCode as string,
    timezone: input.timezone as string,
    accountInfo: {
      marketplaceStringId: info.marketplaceStringId as string,
      id: info.id as string,
      type: info.type as SimProfile["accountInfo"]["type"],
      name: info.name as string,
    },
    ...(input.campaigns === undefined ? {} : { campaigns: input.campaigns }),
    ...(input.reportAccess === undefined ? {} : { reportAccess: input.reportAccess as boolean }),
    ...(input.campaignIdsFrom === undefined ? {} : { campaignIdsFrom: input.campaignIdsFrom as string }),
  };
}

/**
 * The login an admin call names: `refreshToken` (optional; must be one of the client id's logins), else the
 * client id's first login. A string is the error to answer (`status` 400 or 404).
 */
function selectLogin(
  state: SimulatorState,
  input: Record<string, unknown> | null,
  clientId: string,
): SimClient | { status: 400 | 404; error: string } {
  const refreshToken = input?.refreshToken;
  if (refreshToken !== undefined && typeof refreshToken !== "string") {
    return { status: 400, error: "refreshToken must be a string" };
  }
  if (!state.apps.has(clientId)) return { status: 404, error: `Unknown client ${clientId}` };
  try {
    return state.login(clientId, refreshToken);
  } catch (error) {
    return { status: 404, error: (error as Error).message };
  }
}

/** `{clientId, profileIds}`, plus the refreshToken when the call named one. */
function loginAnswer(input: Record<string, unknown> | null, login: SimClient): Record<string, unknown> {
  return {
    clientId: login.clientId,
    ...(input?.refreshToken === undefined ? {} : { refreshToken: login.refreshToken }),
    profileIds: login.profileIds,
  };
}

export function handleAdmin(
  state: SimulatorState,
  request: IncomingMessage,
  response: ServerResponse,
  path: string,
  body: string,
): void {
  const route = `${request.method} ${path}`;
  const badRequest = (message: string): void => sendJson(response, 400, { error: message });
  switch (route) {
    case "GET /__admin/scenario":
      sendJson(response, 200, state.scenario);
      return;
    case "POST /__admin/scenario": {
      const patch = parseJsonObject(body);
      if (!patch) return badRequest("Body must be a JSON object (a partial scenario)");
      try {
        state.setScenario(patch as Partial<Scenario>);
      } catch (error) {
        return badRequest((error as Error).message);
      }
      sendJson(response, 200, state.scenario);
      return;
    }
    case "POST /__admin/reset":
      state.reset();
      sendJson(response, 200, { reset: true });
      return;
    case "GET /__admin/requests":
      sendJson(response, 200, state.requests);
      return;
    case "GET /__admin/reports":
      sendJson(response, 200, state.reportSummaries());
      return;
    case "POST /__admin/profiles": {
      const input = parseJsonObject(body);
      const profileId = input?.profileId;
      const campaigns = input?.campaigns;
      if (typeof profileId !== "string" && typeof profileId !== "number") return badRequest("profileId is required");
      if (typeof campaigns !== "number") return badRequest("campaigns must be a number");
      if (!state.profile(String(profileId))) {
        sendJson(response, 404, { error: `Unknown profile ${profileId}` });
        return;
      }
      try {
        state.setProfileCampaigns(String(profileId), campaigns);
      } catch (error) {
        return badRequest((error as Error).message);
      }
      sendJson(response, 200, { profileId: String(profileId), campaigns });
      return;
    }
    case "POST /__admin/profiles/add": {
      const input = parseJsonObject(body);
      const clientId = input?.clientId;
      if (typeof clientId !== "string") return badRequest("clientId is required");
      const profile = parseProfile(input?.profile);
      if (typeof profile === "string") return badRequest(profile);
      const login = selectLogin(state, input, clientId);
      if (!("refreshToken" in login)) {
        sendJson(response, login.status, { error: login.error });
        return;
      }
      try {
        state.addProfile(clientId, profile, login.refreshToken);
      } catch (error) {
        return badRequest((error as Error).message);
      }
      sendJson(response, 200, loginAnswer(input, login));
      return;
    }
    case "POST /__admin/profiles/remove": {
      const input = parseJsonObject(body);
      const clientId = input?.clientId;
      const profileId = input?.profileId;
      if (typeof clientId !== "string") return badRequest("clientId is required");
      if (typeof profileId !== "string") return badRequest("profileId must be a string of digits");
      const login = selectLogin(state, input, clientId);
      if (!("refreshToken" in login)) {
        sendJson(response, login.status, { error: login.error });
        return;
      }
      if (!login.profileIds.includes(profileId)) {
        sendJson(response, 404, { error: `Client ${clientId} has no profile ${profileId}` });
        return;
      }
      state.removeProfile(clientId, profileId, login.refreshToken);
      sendJson(response, 200, loginAnswer(input, login));
      return;
    }
    case "POST /__admin/clients/faults": {
      const input = parseJsonObject(body);
      const clientId = input?.clientId;
      if (typeof clientId !== "string") return badRequest("clientId is required");
      const app = state.apps.get(clientId);
      if (!app) {
        sendJson(response, 404, { error: `Unknown client ${clientId}` });
        return;
      }
      try {
        state.setClientFaults(clientId, { storm429: input?.storm429 } as SimClientFaults);
      } catch (error) {
        return badRequest((error as Error).message);
      }
      sendJson(response, 200, { clientId, storm429: app.storm429 ?? null });
      return;
    }
    default:
      sendJson(response, 404, { error: `No admin route ${route}` });
  }
}
