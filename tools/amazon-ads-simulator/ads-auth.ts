import type { IncomingMessage, ServerResponse } from "node:http";
import { headerValue, sendJson } from "./http-util";
import { mayReport } from "./account-checks";
import type { SimulatorState } from "./state";
import type { Region } from "./types";

// Header checks every Ads API call goes through. Messages follow Amazon's error page
// (reference/concepts/errors); these gateway errors use the generic {code, details} shape.

/** Who is calling: the app (client id) and the login (the refresh token the access token was issued for). */
export interface CallerLogin {
  clientId: string;
  refreshToken: string;
}

export interface Caller extends CallerLogin {
  /** The Amazon-Advertising-API-Scope profile, when the call needs one. */
  profileId: string;
}

function sendUnauthorized(response: ServerResponse, details: string): void {
  sendJson(response, 401, { code: "UNAUTHORIZED", details });
}

/** The calling client and login, or null after answering 401. */
export function authenticateClient(
  state: SimulatorState,
  request: IncomingMessage,
  response: ServerResponse,
): CallerLogin | null {
  const authorization = headerValue(request, "authorization") ?? "";
  const bearer = /^Bearer\s+(\S+)$/i.exec(authorization.trim());
  const token = bearer ? state.tokens.get(bearer[1]!) : undefined;
  const revoked = token ? state.scenario.revokedRefreshTokens.includes(token.refreshToken) : false;
  if (!token || revoked || token.expiresAt <= state.now().getTime()) {
    sendUnauthorized(response, "Not authorized to access this advertiser");
    return null;
  }
  if (headerValue(request, "amazon-advertising-api-clientid") !== token.clientId) {
    sendUnauthorized(response, "Not authorized to access this advertiser");
    return null;
  }
  return { clientId: token.clientId, refreshToken: token.refreshToken };
}

/** Client plus a usable Scope profile of this region, or null after answering 401. */
export function authenticateScoped(
  state: SimulatorState,
  request: IncomingMessage,
  response: ServerResponse,
  region: Region,
): Caller | null {
  const login = authenticateClient(state, request, response);
  if (login === null) return null;
  const scope = headerValue(request, "amazon-advertising-api-scope")?.trim();
  if (!scope) {
    sendUnauthorized(response, "Scope header is missing");
    return null;
  }
  const profile = state.profile(scope);
  // Unknown, another login's (of this app or another), removed from this login, or of another region: Amazon
  // finds no such advertiser.
  if (!profile || profile.region !== region || !state.loginCanUse(login.refreshToken, scope)) {
    sendUnauthorized(response, "No matching advertiser found for scope");
    return null;
  }
  // The login sees the profile but may not report on it (an agency, or no reporting rights): Amazon's
  // documented message for a known scope the caller lacks permission for.
  if (!mayReport(profile)) {
    sendUnauthorized(response, "Not authorized to access scope");
    return null;
  }
  return { ...login, profileId: scope };
}
