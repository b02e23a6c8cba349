import { randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { delay, headerValue, mediaType, sendJson } from "./http-util";
import { consumeFault, latencyMs } from "./scenario";
import type { SimulatorState } from "./state";

// Login with Amazon: POST /auth/o2/token (refresh-token and authorization-code grants). Error bodies are
// {error, error_description}.

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
  await delay(latencyMs(state.scenario.tokenLatencyMs), state.closing.signal);
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
  if (grantType !== "refresh_token" && grantType !== "authorization_code") {
    sendTokenError(
      response,
      400,
      "unsupported_grant_type",
      `The authorization grant type is not supported : ${grantType}`,
    );
    return;
  }
  // The app's id and secret; the refresh token then picks one of its logins (an Amazon user's grant).
  const client = state.apps.get(form.get("client_id") ?? "");
  if (!client || client.clientSecret !== form.get("client_secret")) {
    sendTokenError(response, 401, "invalid_client", "Client authentication failed");
    return;
  }
  if (grantType === "authorization_code") {
    const granted = redeemCode(state, form, client.clientId);
    if (granted !== "ok") {
      sendTokenError(response, 400, granted === "missing" ? "invalid_request" : "invalid_grant", CODE_ERRORS[granted]);
      return;
    }
    // The consenting Amazon user's grant to this client: the app's first login's refresh token (the simulator's
    // consent page has no sign-in, so it cannot tell which of the app's users consented).
    sendTokens(state, response, client.clientId, client.logins[0]!.refreshToken);
    return;
  }
  const refreshToken = form.get("refresh_token");
  if (!refreshToken) {
    sendTokenError(response, 400, "invalid_request", "The request is missing a required parameter : refresh_token");
    return;
  }
  // Unknown, another app's, or revoked.
  const login = state.logins.get(refreshToken);
  if (login?.clientId !== client.clientId || state.scenario.revokedRefreshTokens.includes(refreshToken)) {
    sendTokenError(response, 400, "invalid_grant", INVALID_GRANT_DESCRIPTION);
    return;
  }
  sendTokens(state, response, client.clientId, refreshToken);
}

const CODE_ERRORS = {
  missing: "The request is missing a required parameter : code or redirect_uri",
  unknown: "The request has an invalid grant parameter : code",
  expired: "The request has an invalid grant parameter : code. The authorization code has expired",
  mismatch: "The request has an invalid grant parameter : code. It was issued to another client or redirect_uri",
} as const;

/**
 * A code from the consent page, used up whatever the outcome (Amazon: once), and valid only for the client
 * and redirect_uri it was issued with, within AUTH_CODE_LIFETIME_SECONDS.
 */
function redeemCode(state: SimulatorState, form: URLSearchParams, clientId: string): "ok" | keyof typeof CODE_ERRORS {
  const code = form.get("code");
  const redirectUri = form.get("redirect_uri");
  if (!code || !redirectUri) return "missing";
  const issued = state.authCodes.get(code);
  if (!issued) return "unknown";
  state.authCodes.delete(code);
  if (issued.expiresAt <= state.now().getTime()) return "expired";
  if (issued.clientId !== clientId || issued.redirectUri !== redirectUri) return "mismatch";
  return "ok";
}

function sendTokens(state: SimulatorState, response: ServerResponse, clientId: string, refreshToken: string): void {
  const accessToken = `Atza|${randomBytes(48).toString("base64url")}`;
  state.tokens.set(accessToken, {
    clientId,
    refreshToken,
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
