import { AmazonError } from "../../amazon/errors";
import type { DbOrTx } from "../../db";
import { organisationExists } from "../../orgs/orgs";
import { getAmazonAdsSettings, UnreadableSettingError, type AmazonAdsSettings } from "../../settings/store";

/**
 * An organisation's Ads credentials for a run. Every way this can fail is an AmazonError: the
 * organisation does not exist, has no credentials, or has credentials that cannot be read.
 */
export async function requireAdsSettings(orgId: number, db?: DbOrTx): Promise<AmazonAdsSettings> {
  let settings: AmazonAdsSettings | null;
  try {
    settings = await getAmazonAdsSettings(orgId, db);
  } catch (error) {
    if (error instanceof UnreadableSettingError) throw new AmazonError("credentials_unreadable", error.message);
    throw error;
  }
  if (settings) return settings;
  if (!(await organisationExists(orgId, db)))
    throw new AmazonError("org_not_found", `Organisation ${orgId} does not exist`);
  throw new AmazonError(
    "no_credentials",
    `Organisation ${orgId} has no Amazon Ads API credentials; save them on the settings page (Amazon tab)`,
  );
}
