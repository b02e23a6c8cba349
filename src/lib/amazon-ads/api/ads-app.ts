import { env } from "../../env";
import { MissingCredentialsError } from "../../errors";
import { registerSecret } from "../../log";
import type { AmazonAdsSettings } from "../../settings/schema";

// Which Login with Amazon app signs an organisation in: the operator's (one app, reviewed once for the Ads
// API, that every organisation authorises with Connect with Amazon) unless the organisation saved its own.

/** The operator's app (AMAZON_ADS_CLIENT_ID/SECRET), or null when this server has none. */
export function operatorApp(): { clientId: string; clientSecret: string } | null {
  const { AMAZON_ADS_CLIENT_ID: clientId, AMAZON_ADS_CLIENT_SECRET: clientSecret } = env();
  if (!clientId || !clientSecret) return null;
  registerSecret(clientSecret);
  return { clientId, clientSecret };
}

/** What the settings page may know of the operator's app: its client id (public: it is in every consent URL). */
export function operatorAppInfo(): { clientId: string } | null {
  const app = operatorApp();
  return app && { clientId: app.clientId };
}

/** Settings whose client id and secret are the app that signs the organisation in, and which app that is. */
export type AdsCredentials = AmazonAdsSettings & { app: "organisation" | "operator" };

/**
 * The settings with their app filled in: the organisation's own when it saved one (it wins), else the
 * operator's. Throws MissingCredentialsError when neither exists.
 */
export function withAdsApp(settings: AmazonAdsSettings, orgId?: number): AdsCredentials {
  if (settings.client_id !== "") return { ...settings, app: "organisation" };
  const operator = operatorApp();
  if (!operator) {
    throw new MissingCredentialsError(
      `${orgId === undefined ? "These settings name" : `Organisation ${orgId} names`} no Login with Amazon app, and this server has none (AMAZON_ADS_CLIENT_ID and AMAZON_ADS_CLIENT_SECRET): enter the client ID and client secret on the settings page, or ask the operator to configure the server's app`,
    );
  }
  return { ...settings, client_id: operator.clientId, client_secret: operator.clientSecret, app: "operator" };
}
