import { z } from "zod";
import { env } from "../env";
import { registerSecret } from "../log";
import { parseJson } from "./error-body";
import { AmazonError, networkFailure, TOKEN_REFRESH, type AmazonErrorKind } from "./errors";

// Login with Amazon (LwA): refresh token → access token, and the first grant's code → refresh token.
// Shared by the SP-API and Ads API code.

/** LwA failures keep their own reason (shown by "Test connection"); the kind says what to do about them. */
export type LwaFailure =
  "invalid_client" | "invalid_grant" | "rejected" | "unavailable" | "timeout" | "network" | "bad_response";

const tokenResponseSchema = z.object({
  access_token: z.string().min(1),
  expires_in: z.coerce.number().int().positive(),
  // Present on every LwA answer; only the authorization_code grant needs it (a refresh returns the same one).
  refresh_token: z.string().min(1).optional(),
});
const errorResponseSchema = z.object({ error: z.string(), error_description: z.string().optional() });

export interface AccessToken {
  accessToken: string;
  expiresAt: number; // epoch ms
}

export async function exchangeRefreshToken(
  tokenUrl: string,
  credentials: { client_id: string; client_secret: string; refresh_token: string },
  options: { timeoutMs?: number } = {},
): Promise<AccessToken> {
  const { client_id, client_secret, refresh_token } = credentials;
  registerSecret(client_secret);
  registerSecret(refresh_token);
  const invalidGrant =
    "Amazon rejected the refresh token (invalid_grant): it was revoked, has a typo, or was issued to a different client ID. Authorise the app again to get a new one.";
  const form = { grant_type: "refresh_token", refresh_token, client_id, client_secret };
  const tokens = await postTokenRequest(tokenUrl, form, { operation: TOKEN_REFRESH, invalidGrant, ...options });
  return { accessToken: tokens.access_token, expiresAt: Date.now() + tokens.expires_in * 1000 };
}

/** The operation name of the first grant ("Connect with Amazon"): the code is swapped for a refresh token. */
export const CODE_EXCHANGE = "authorization code exchange";

/**
 * The authorization_code grant: a consent page's code (valid 5 minutes, once) becomes a refresh token, returned.
 * `redirect_uri` must be the one the consent page was opened with: Amazon binds the code to it.
 */
export async function exchangeAuthorizationCode(
  tokenUrl: string,
  grant: { client_id: string; client_secret: string; code: string; redirect_uri: string },
): Promise<string> {
  registerSecret(grant.client_secret);
  registerSecret(grant.code);
  const invalidGrant =
    "Amazon rejected the authorisation code (invalid_grant): it expired (codes last 5 minutes), was already used, or was issued for another client ID or return URL. Press Connect with Amazon again.";
  const form = { grant_type: "authorization_code", ...grant };
  const tokens = await postTokenRequest(tokenUrl, form, { operation: CODE_EXCHANGE, invalidGrant });
  if (!tokens.refresh_token) {
    const message = `Login with Amazon (${new URL(tokenUrl).host}) answered without a refresh token`;
    throw new AmazonError("bad_response", message, { reason: "bad_response", status: 200, operation: CODE_EXCHANGE });
  }
  return tokens.refresh_token;
}

const INVALID_CLIENT =
  "Amazon rejected the client ID or client secret (invalid_client). Check both against your Login with Amazon security profile.";

/** POSTs one grant to LwA and turns every failure into an AmazonError; the tokens it returns are registered secrets. */
async function postTokenRequest(
  tokenUrl: string,
  form: Record<string, string>,
  options: { operation: string; invalidGrant: string; timeoutMs?: number },
): Promise<z.infer<typeof tokenResponseSchema>> {
  const { operation } = options;
  const timeoutMs = options.timeoutMs ?? env().AMAZON_HTTP_TIMEOUT_MS;
  const host = new URL(tokenUrl).host;
  let response: Response;
  try {
    response = await fetch(tokenUrl, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded;charset=UTF-8", accept: "application/json" },
      body: new URLSearchParams(form),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    // Not transient (a host that does not resolve): asking again for 28 s cannot help; the text says what can.
    const { reason, text, transient } = networkFailure(error, tokenUrl);
    const message = !transient
      ? text
      : reason === "timeout"
        ? `Login with Amazon (${host}) did not answer within ${Math.round(timeoutMs / 1000)} s`
        : `Could not reach Login with Amazon (${host}): ${text}`;
    throw new AmazonError("network", message, { reason, operation, transient });
  }
  const { status } = response;
  const text = await response.text();
  const fail = (kind: AmazonErrorKind, reason: LwaFailure, message: string) =>
    new AmazonError(kind, message, { reason, status, operation });
  if (response.ok) {
    const parsed = tokenResponseSchema.safeParse(parseJson(text));
    const noToken = `Login with Amazon (${host}) answered HTTP ${status} without an access token`;
    if (!parsed.success) throw fail("bad_response", "bad_response", noToken);
    registerSecret(parsed.data.access_token);
    registerSecret(parsed.data.refresh_token);
    return parsed.data;
  }
  const code = errorResponseSchema.safeParse(parseJson(text)).data?.error;
  if (code === "invalid_client") throw fail("auth", "invalid_client", INVALID_CLIENT);
  if (code === "invalid_grant") throw fail("auth", "invalid_grant", options.invalidGrant);
  if (status >= 500 || status === 429) {
    const message = `Login with Amazon (${host}) is unavailable right now (HTTP ${status}); try again later`;
    throw fail(status === 429 ? "throttled" : "server", "unavailable", message);
  }
  // The code is Amazon's vocabulary (e.g. unauthorized_client); the description can quote input, so it is left out.
  const refused = `Login with Amazon refused the token request (HTTP ${status}${code ? `, ${code}` : ""})`;
  throw fail("auth", "rejected", refused);
}
