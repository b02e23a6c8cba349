import type { DbOrTx } from "../../db";
import { organisationExists } from "../../orgs/orgs";
import { getAmazonAdsSettings, type AmazonAdsSettings } from "../../settings/store";

export class NoCredentialsError extends Error {
  constructor(
    readonly orgId: number,
    readonly orgMissing: boolean,
  ) {
    super(
      orgMissing
        ? `Organisation ${orgId} does not exist`
        : `Organisation ${orgId} has no Amazon Ads API credentials; save them on the settings page (Amazon tab)`,
    );
    this.name = "NoCredentialsError";
  }
}

export async function requireAdsSettings(orgId: number, db?: DbOrTx): Promise<AmazonAdsSettings> {
  const settings = await getAmazonAdsSettings(orgId, db);
  if (settings) return settings;
  throw new NoCredentialsError(orgId, !(await organisationExists(orgId, db)));
}
