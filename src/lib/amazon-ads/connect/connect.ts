import crypto from "node:crypto";
import { eq, lt } from "drizzle-orm";
import { z } from "zod";
import { isAmazonError } from "../../amazon/errors";
import { CODE_EXCHANGE, exchangeAuthorizationCode } from "../../amazon/lwa";
import { getDb } from "../../db";
import { amazonAdsConnectStates } from "../../db/schema";
import { env } from "../../env";
import { InvalidInputError } from "../../errors";
import { logWarn, registerSecret } from "../../log";
import { membershipsOf } from "../../orgs/organisations";
import type { ConnectResult } from "../../settings/connect-result";
import { decrypt, encrypt } from "../../settings/crypto";
import { MASK, maskSecret } from "../../settings/masking";
import { amazonAdsSettingsSchema, type AdsRegion } from "../../settings/schema";
import { getAmazonAdsSettings, saveAmazonAdsSettings } from "../../settings/store";
import { adsAuthorizeUrl, adsTokenUrl } from "../api/hosts";
import { operatorApp } from "../api/ads-app";

// "Connect with Amazon": Login with Amazon's authorization-code flow, so an admin gets the refresh token by
// consenting on Amazon's page instead of building the URL and running curl by hand.

/** Amazon Ads docs ("Create an authorization grant"): the scope for Sponsored Products and the other ad APIs. */
export const ADS_SCOPE = "advertising::campaign_management";
export const CONNECT_CALLBACK_PATH = "/api/amazon-ads/callback";
/** Long enough to sign in to Amazon (maybe with 2FA); the code Amazon returns then has its own 5 minutes. */
export const CONNECT_STATE_TTL_MS = 10 * 60_000;

/** The callback's full URL on BETTER_AUTH_URL (required behind a proxy), else on the request's address. */
export function connectRedirectUri(request: Request): string {
  return new URL(CONNECT_CALLBACK_PATH, env().BETTER_AUTH_URL ?? new URL(request.url).origin).toString();
}

const hashState = (state: string) => crypto.createHash("sha256").update(state).digest("hex");
// Binds the stored client secret to its row, as settings ciphertexts are bound to theirs.
const secretAssociatedData = (stateHash: string) => `amazon_ads_connect:${stateHash}`;

const shape = amazonAdsSettingsSchema.shape;
const ownAppSchema = z.object({
  client_id: shape.client_id.unwrap().min(1),
  client_secret: shape.client_secret.unwrap().min(1),
  region: shape.region,
});
/** The app a consent page is opened for; `operator`: the server's own (env), not one the organisation saved. */
type LwaApp = z.infer<typeof ownAppSchema> & { operator: boolean };

/**
 * The LwA app to connect, read as Save reads the form (omitted or masked: the saved value); an empty client
 * ID means the operator's app (env).
 */
async function resolveApp(orgId: number, form: Record<string, string | null | undefined>): Promise<LwaApp> {
  // Unreadable: the form must carry every value, which validation demands.
  const stored = await getAmazonAdsSettings(orgId).catch(() => null);
  const merged: Record<string, unknown> = {};
  const errors: Record<string, string> = {};
  for (const field of ["client_id", "client_secret", "region"] as const) {
    const incoming = form[field]?.trim();
    const previous = stored?.[field] || undefined;
    if (incoming === "" && field === "client_id") merged[field] = "";
    else if (!incoming) merged[field] = previous;
    else if (!incoming.startsWith(MASK)) merged[field] = incoming;
    else if (previous !== undefined && incoming === maskSecret(previous)) merged[field] = previous;
    else
      errors[`amazon_ads.${field}`] =
        "This field shows a masked value that does not match the saved one; type it again";
  }
  if (!merged.client_id && Object.keys(errors).length === 0) {
    const operator = operatorApp();
    const region = shape.region.safeParse(merged.region);
    if (operator && region.success) {
      const { clientId: client_id, clientSecret: client_secret } = operator;
      return { client_id, client_secret, region: region.data, operator: true };
    }
    if (!operator)
      throw new InvalidInputError(
        "Connect with Amazon needs the client ID and client secret of your Login with Amazon app: this server has no app of its own (AMAZON_ADS_CLIENT_ID)",
        {
          "amazon_ads.client_id": "Client ID is required: this server has no app of its own",
          "amazon_ads.client_secret": "Client secret is required with your own app",
        },
      );
  }
  const parsed = ownAppSchema.safeParse(merged);
  for (const issue of parsed.error?.issues ?? []) {
    const field = issue.path.join(".");
    errors[`amazon_ads.${field}`] ??=
      issue.code === "invalid_type"
        ? `${field === "client_id" ? "Client ID" : "Client secret"} is required`
        : issue.message;
  }
  if (!parsed.success || Object.keys(errors).length > 0)
    throw new InvalidInputError(
      "Connect with Amazon needs the client ID and client secret of your Login with Amazon app: " +
        Object.values(errors).join("; "),
      errors,
    );
  return { ...parsed.data, operator: false };
}

/** Starts the flow for an admin: remembers a fresh `state` (hashed) and returns the region's consent page URL. */
export async function startAmazonConnect(
  context: { orgId: number; userId: string },
  form: Record<string, string | null | undefined>,
  redirectUri: string,
): Promise<{ url: string }> {
  const app = await resolveApp(context.orgId, form);
  registerSecret(app.client_secret);
  const state = crypto.randomBytes(32).toString("base64url");
  const stateHash = hashState(state);
  const db = await getDb();
  // Abandoned attempts (the admin closed Amazon's tab) would otherwise stay for ever.
  await db.delete(amazonAdsConnectStates).where(lt(amazonAdsConnectStates.expiresAt, new Date()));
  await db.insert(amazonAdsConnectStates).values({
    stateHash,
    orgId: context.orgId,
    userId: context.userId,
    region: app.region,
    clientId: app.client_id,
    clientSecretEncrypted: app.operator ? null : encrypt(app.client_secret, secretAssociatedData(stateHash)),
    redirectUri,
    expiresAt: new Date(Date.now() + CONNECT_STATE_TTL_MS),
  });
  const url = new URL(adsAuthorizeUrl(app.region));
  const query = { client_id: app.client_id, scope: ADS_SCOPE, response_type: "code", redirect_uri: redirectUri, state };
  for (const [name, value] of Object.entries(query)) url.searchParams.set(name, value);
  return { url: url.toString() };
}

/**
 * The callback for the signed-in user: the state is consumed before anything else, so nothing can be replayed.
 * `orgId`, the organisation to show afterwards, comes only when the state was this user's.
 */
export async function finishAmazonConnect(
  userId: string,
  params: URLSearchParams,
): Promise<{ result: ConnectResult; orgId?: number }> {
  const code = params.get("code");
  registerSecret(code);
  const state = params.get("state");
  if (!state) return { result: "state_missing" };
  const db = await getDb();
  // DELETE … RETURNING is the single use: of two concurrent callbacks with one state, only one gets the row.
  const [row] = await db
    .delete(amazonAdsConnectStates)
    .where(eq(amazonAdsConnectStates.stateHash, hashState(state)))
    .returning();
  if (!row) return { result: "state_unknown" };
  if (row.userId !== userId) return { result: "state_foreign" };
  // Still an admin of that organisation now, not only when the flow started.
  const memberships = await membershipsOf(userId);
  if (!memberships.some((m) => m.orgId === row.orgId && m.role === "admin")) return { result: "state_foreign" };
  const orgId = row.orgId;
  if (row.expiresAt.getTime() <= Date.now()) return { result: "state_expired", orgId };
  const error = params.get("error");
  if (error) return { result: error === "access_denied" ? "cancelled" : "amazon_error", orgId };
  if (!code) return { result: "code_missing", orgId };

  const operator = row.clientSecretEncrypted === null;
  const clientSecret = operator
    ? operatorApp()?.clientId === row.clientId
      ? operatorApp()!.clientSecret
      : null
    : decrypt(row.clientSecretEncrypted!, secretAssociatedData(row.stateHash));
  // The server's app was changed (or removed) while the admin was on Amazon's page: the code is bound to the old one.
  if (clientSecret === null) return { result: "client_rejected", orgId };
  let refreshToken: string;
  try {
    refreshToken = await exchangeAuthorizationCode(adsTokenUrl(row.region), {
      client_id: row.clientId,
      client_secret: clientSecret,
      code,
      redirect_uri: row.redirectUri,
    });
  } catch (failure) {
    if (!isAmazonError(failure)) throw failure;
    // The message names no code or token (AmazonError redacts registered secrets too).
    logWarn(`Connect with Amazon for org ${orgId}: ${CODE_EXCHANGE} failed: ${failure.message}`);
    const result: ConnectResult =
      failure.reason === "invalid_grant"
        ? "code_rejected"
        : failure.reason === "invalid_client"
          ? "client_rejected"
          : failure.kind === "auth"
            ? "amazon_error"
            : "unavailable";
    return { result, orgId };
  }
  const app = operator
    ? { client_id: "", client_secret: "" }
    : { client_id: row.clientId, client_secret: clientSecret };
  return { result: await saveConnection(orgId, { ...app, region: row.region, refresh_token: refreshToken }), orgId };
}

/** Saves the app (none for the operator's) and its new refresh token, keeping the profile choice. */
async function saveConnection(
  orgId: number,
  login: { client_id: string; client_secret: string; region: AdsRegion; refresh_token: string },
): Promise<ConnectResult> {
  const stored = await getAmazonAdsSettings(orgId).catch(() => null); // unreadable: replaced by this connection
  const profile_id = stored?.profile_id ?? "";
  // A first connection has no profile chosen yet, and a section naming none cannot be saved: until the admin
  // lists some, every profile the login sees is synced (the page says so).
  const noProfileYet = (stored?.profiles ?? "listed") === "listed" && profile_id === "";
  const profiles = noProfileYet ? "all" : (stored?.profiles ?? "listed");
  await saveAmazonAdsSettings(orgId, { ...login, profile_id, profiles });
  return noProfileYet ? "connected_all" : "connected";
}
