import type { DbOrTx } from "../../db";
import { MissingCredentialsError, NotFoundError } from "../../errors";
import { organisationExists } from "../../orgs/organisations";
import { getAmazonAdsSettings, type AmazonAdsSettings } from "../../settings/store";

/**
 * An organisation's Ads credentials for a run. Throws NotFoundError when the organisation does not
 * exist, MissingCredentialsError when it has no credentials, UnreadableSettingError (from the store)
 * when they cannot be read.
 */
export async function requireAdsSettings(orgId: number, db?: DbOrTx): Promise<AmazonAdsSettings> {
  const settings = await getAmazonAdsSettings(orgId, db);
  if (settings) return settings;
  if (!(await organisationExists(orgId, db))) throw new NotFoundError(`Organisation ${orgId} does not exist`);
  throw new MissingCredentialsError(
    `Organisation ${orgId} has no Amazon Ads API credentials; save them on the settings page (Amazon tab)`,
  );
}
