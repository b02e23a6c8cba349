import { randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { delay, headerValue, mediaType, sendJson } from "./http-util";
import { consumeFault } from "./scenario";
import type { SimulatorState } from "./state";

// Login with Amazon: POST /auth/o2/token (refresh-token grant). Error bodies are {error, error_description}.

export const ACCESS_TOKEN_LIFETIME_SECONDS = 3600;

const INVALID_GRANT_DESCRIPTION =
  "The request has an invalid grant parameter : refresh_token. User may have revoked or didn't grant the permission.";

function sendTokenError(response: ServerResponse, status: number, error: string, description: string): void {
  sendJson(response, status, { error, error_description: description }, "application/json;charset=UTF-8");
}

export async function handleToken(
  state: SimulatorState,
  request: IncomingMessage,
  response: ServerResponse,
  body: string,
): Promise<void> {
  await delay(state.scenario.tokenLatencyMs, state.closing.signal);
  if (request.method !== "POST") {
    sendTokenError(response, 405, "invalid_request", "The request method must be POST");
    return;
  }
  if (consumeFault(state.scenario, "token5xx")) {
    sendTokenError(response, 500, "ServerError", "The authorization server encountered an unexpected error");
    return;
  }
  if (mediaType(headerValue(request, "content-type")) !== "application/x-www-form-urlencoded") {
    sendTokenError(
      response,
      400,
      "invalid_request",
      "The request has an invalid parameter : Content-Type must be application/x-www-form-urlencoded",
    );
    return;
  }
  const form = new URLSearchParams(body);
  const grantType = form.get("grant_type");
  if (!grantType) {
    sendTokenError(response, 400, "invalid_request", "The request is missing a required parameter : grant_type");
    return;
  }
  if (grantType !== "refresh_token") {
    sendTokenError(
      response,
      400,
      "unsupported_grant_type",
      `The authorization grant type is not supported : ${grantType}`,
    );
    return;
  }
  const client = state.clients.get(form.get("client_id") ?? "");
  if (!client || client.clientSecret !== form.get("client_secret")) {
    sendTokenError(response, 401, "invalid_client", "Client authentication failed");
    return;
  }
  const refreshToken = form.get("refresh_token");
  if (!refreshToken) {
    sendTokenError(response, 400, "invalid_request", "The request is missing a required parameter : refresh_token");
    return;
  }
  if (refreshToken !== client.refreshToken || state.scenario.revokedRefreshTokens.includes(refreshToken)) {
    sendTokenError(response, 400, "invalid_grant", INVALID_GRANT_DESCRIPTION);
    return;
  }
  const accessToken = `Atza|${randomBytes(48).toString("base64url")}`;
  state.tokens.set(accessToken, {
    clientId: client.clientId,
    expiresAt: state.now().getTime() + ACCESS_TOKEN_LIFETIME_SECONDS * 1000,
  });
  sendJson(
    response,
    200,
    {
      access_token: accessToken,
      refresh_token: refreshToken,
      token_type: "bearer",
      expires_in: ACCESS_TOKEN_LIFETIME_SECONDS,
    },
    "application/json;charset=UTF-8",
  );
}
