import { isAmazonError, TOKEN_REFRESH } from "../amazon/errors";
import type { ConnectionTestResult } from "../amazon/sp-api-test";
import type { AmazonAdsSettings } from "../settings/schema";
import { AdsClient } from "./api/client";
import { describeProfile, regionsHavingProfile, toProfileInfo } from "./api/profiles";

const REGION_NAMES = { NA: "North America", EU: "Europe", FE: "Far East" } as const;

/**
 * "Test connection": a token alone proves little, so this also lists the login's profiles in the
 * chosen region and checks that profile_id is one of them — and if not, says exactly why.
 */
export async function testAdsConnection(settings: AmazonAdsSettings): Promise<ConnectionTestResult> {
  // One attempt each: the person clicking wants an answer now, not after backoff.
  const options = { retry: { maxAttempts: 1 } };
  const client = new AdsClient(settings, options);
  try {
    await client.accessToken();
  } catch (error) {
    if (isAmazonError(error)) return { ok: false, problem: error.reason ?? error.kind, message: error.message };
    throw error;
  }
  let profiles;
  try {
    profiles = await client.listProfiles();
  } catch (error) {
    if (!isAmazonError(error)) throw error;
    // A 401 from the Ads API makes the client refresh the token once; that refresh can fail too.
    if (error.operation === TOKEN_REFRESH)
      return { ok: false, problem: error.reason ?? error.kind, message: error.message };
    if (error.status !== undefined) {
      const hint =
        error.status === 401 || error.status === 403 ? " The client ID may not be enabled for the Amazon Ads API." : "";
      return {
        ok: false,
        problem: "profiles_refused",
        message: `Login with Amazon accepted the credentials, but the Ads API (${REGION_NAMES[settings.region]}) refused to list profiles: HTTP ${error.status}${error.detail ? ` — ${error.detail}` : ""}.${hint}`,
      };
    }
    if (error.kind === "network") {
      const message = `The Amazon Ads API (${REGION_NAMES[settings.region]}) could not be reached: ${error.message}`;
      return { ok: false, problem: "ads_api_unreachable", message };
    }
    throw error;
  }
  const match = profiles.find((p) => p.profileIdText === settings.profile_id);
  if (match) {
    return {
      ok: true,
      message: `Connected. Profile ${describeProfile(match)}.`,
      profile: toProfileInfo(match, settings.region),
    };
  }
  const elsewhere = await regionsHavingProfile(settings, options);
  const details = profiles.map(describeProfile);
  const where = elsewhere.length
    ? ` It exists in ${elsewhere.map((r) => `${REGION_NAMES[r]} (${r})`).join(" and ")}: choose that region.`
    : profiles.length
      ? " Choose one of the profiles listed below."
      : " This login has no advertiser profiles in this region.";
  return {
    ok: false,
    problem: elsewhere.length ? "wrong_region" : "profile_not_found",
    message: `The credentials work, but profile ${settings.profile_id} is not one this login can use in ${REGION_NAMES[settings.region]} (${settings.region}).${where}`,
    details,
  };
}
