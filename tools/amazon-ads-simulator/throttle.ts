import type { ServerResponse } from "node:http";
import { sendJson } from "./http-util";
import type { SimulatorState } from "./state";

// Amazon's 429 for the Ads API, shared by the scenario's create429/poll429 counters and a client's storm429.

export function sendTooManyRequests(response: ServerResponse, retryAfterSeconds: number | undefined): void {
  const headers: Record<string, string> =
    retryAfterSeconds === undefined ? {} : { "Retry-After": String(retryAfterSeconds) };
  sendJson(response, 429, { code: "429", detail: "Too Many Requests" }, "application/json", headers);
}

/** Answers 429 when the calling client is in a storm (its `storm429` is set); true if it did. */
export function answerClientStorm(state: SimulatorState, clientId: string, response: ServerResponse): boolean {
  const storm = state.clients.get(clientId)?.storm429;
  if (!storm) return false;
  sendTooManyRequests(response, storm.retryAfterSeconds);
  return true;
}
