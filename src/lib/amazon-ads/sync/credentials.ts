import type { DbOrTx } from "../../db";
import { MissingCredentialsError, NotFoundError } from "../../errors";
import { organisationExists } from "../../orgs/organisations";
import { getAmazonAdsSettings } from "../../settings/store";
import { withAdsApp, type AdsCredentials } from "../api/ads-app";

/**
 * An organisation's Ads credentials for a run, its app resolved. Throws NotFoundError when the
 * organisation does not exist, MissingCredentialsError when it has no credentials (or no app),
 * UnreadableSettingError (from the store) when they cannot be read.
 */
export async function requireAdsSettings(orgId: number, db?: DbOrTx): Promise<AdsCredentials> {
  const settings = await getAmazonAdsSettings(orgId, db);
  if (settings) return withAdsApp(settings, orgId);
  if (!(await organisationExists(orgId, db))) throw new NotFoundError(`Organisation ${orgId} does not exist`);
  throw new MissingCredentialsError(
    `Organisation ${orgId} has no Amazon Ads API credentials; save them on the settings page (Amazon tab)`,
  );
}
