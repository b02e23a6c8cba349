import type { IncomingMessage, ServerResponse } from "node:http";
import { sendJson } from "./http-util";
import type { SimulatorState } from "./state";
import type { Scenario } from "./types";

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
    default:
      sendJson(response, 404, { error: `No admin route ${route}` });
  }
}
