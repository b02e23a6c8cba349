import type { ServerResponse } from "node:http";
import { sendJson } from "./http-util";
import type { SimulatorState } from "./state";

// Amazon's 429 for the Ads API, shared by the scenario's create429/poll429 counters, a client's storm429 and the
// scenario's clientRateLimit.

export function sendTooManyRequests(response: ServerResponse, retryAfterSeconds: number | undefined): void {
  const headers: Record<string, string> =
    retryAfterSeconds === undefined ? {} : { "Retry-After": String(retryAfterSeconds) };
  sendJson(response, 429, { code: "429", detail: "Too Many Requests" }, "application/json", headers);
}

/** Answers 429 when the calling client (app) is in a storm (its `storm429` is set); true if it did. */
export function answerClientStorm(state: SimulatorState, clientId: string, response: ServerResponse): boolean {
  const storm = state.apps.get(clientId)?.storm429;
  if (!storm) return false;
  sendTooManyRequests(response, storm.retryAfterSeconds);
  return true;
}

/**
 * The checks every Ads API call makes after its header checks: the client's storm429, then a token from the
 * client id's bucket under the scenario's clientRateLimit. Answers 429 and returns true when either stops the call.
 */
export function answerClientThrottle(state: SimulatorState, clientId: string, response: ServerResponse): boolean {
  if (answerClientStorm(state, clientId, response)) return true;
  if (state.takeRateToken(clientId)) return false;
  sendTooManyRequests(response, state.scenario.clientRateLimit?.retryAfterSeconds);
  return true;
}
