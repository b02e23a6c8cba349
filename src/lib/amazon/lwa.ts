import { z } from "zod";
import { env } from "../env";
import { registerSecret } from "../log";
import { AmazonError, networkFailure, TOKEN_REFRESH, type AmazonErrorKind } from "./errors";

// Login with Amazon (LwA): refresh token → access token. Shared by the SP-API and Ads API code.

/** LwA failures keep their own reason (shown by "Test connection"); the kind says what to do about them. */
export type LwaFailure =
  "invalid_client" | "invalid_grant" | "rejected" | "unavailable" | "timeout" | "network" | "bad_response";

const lwaError = (kind: AmazonErrorKind, reason: LwaFailure, message: string, status?: number) =>
  new AmazonError(kind, message, { reason, status, operation: TOKEN_REFRESH });

const tokenResponseSchema = z.object({
  access_token: z.string().min(1),
  expires_in: z.coerce.number().int().positive(),
  token_type: z.string().optional(),
});
const errorResponseSchema = z.object({ error: z.string(), error_description: z.string().optional() });

export interface AccessToken {
  accessToken: string;
  expiresAt: number; // epoch ms
}

export interface LwaCredentials {
  client_id: string;
  client_secret: string;
  refresh_token: string;
}

export async function exchangeRefreshToken(
  tokenUrl: string,
  credentials: LwaCredentials,
  options: { timeoutMs?: number; now?: () => number } = {},
): Promise<AccessToken> {
  registerSecret(credentials.client_secret);
  registerSecret(credentials.refresh_token);
  const timeoutMs = options.timeoutMs ?? env().AMAZON_HTTP_TIMEOUT_MS;
  const host = new URL(tokenUrl).host;
  let response: Response;
  try {
    response = await fetch(tokenUrl, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded;charset=UTF-8", accept: "application/json" },
      body: new URLSearchParams({
        grant_type: "refresh_token",
        refresh_token: credentials.refresh_token,
        client_id: credentials.client_id,
        client_secret: credentials.client_secret,
      }),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    const failure = networkFailure(error);
    if (failure.reason === "timeout") {
      throw lwaError(
        "network",
        "timeout",
        `Login with Amazon (${host}) did not answer within ${Math.round(timeoutMs / 1000)} s`,
      );
    }
    throw lwaError("network", "network", `Could not reach Login with Amazon (${host}): ${failure.text}`);
  }
  const text = await response.text();
  if (response.ok) {
    const parsed = tokenResponseSchema.safeParse(safeJson(text));
    if (!parsed.success)
      throw lwaError(
        "bad_response",
        "bad_response",
        `Login with Amazon (${host}) answered HTTP ${response.status} without an access token`,
        response.status,
      );
    registerSecret(parsed.data.access_token);
    return {
      accessToken: parsed.data.access_token,
      expiresAt: (options.now ?? Date.now)() + parsed.data.expires_in * 1000,
    };
  }
  const amazonError = errorResponseSchema.safeParse(safeJson(text));
  const code = amazonError.success ? amazonError.data.error : undefined;
  if (code === "invalid_client") {
    throw lwaError(
      "auth",
      "invalid_client",
      "Amazon rejected the client ID or client secret (invalid_client). Check both against your Login with Amazon security profile.",
      response.status,
    );
  }
  if (code === "invalid_grant") {
    throw lwaError(
      "auth",
      "invalid_grant",
      "Amazon rejected the refresh token (invalid_grant): it was revoked, has a typo, or was issued to a different client ID. Authorise the app again to get a new one.",
      response.status,
    );
  }
  if (response.status >= 500 || response.status === 429) {
    throw lwaError(
      response.status === 429 ? "throttled" : "server",
      "unavailable",
      `Login with Amazon (${host}) is unavailable right now (HTTP ${response.status}); try again later`,
      response.status,
    );
  }
  // The error code is Amazon's vocabulary (e.g. unauthorized_client); the description can quote input, so it is left out.
  throw lwaError(
    "auth",
    "rejected",
    `Login with Amazon refused the token request (HTTP ${response.status}${code ? `, ${code}` : ""})`,
    response.status,
  );
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

export function spApiTokenUrl(): string {
  return env().AMAZON_SP_TOKEN_URL ?? "https://api.amazon.com/auth/o2/token";
}
