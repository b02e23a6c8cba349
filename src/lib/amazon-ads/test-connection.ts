import { isAmazonError, TOKEN_REFRESH } from "../amazon/errors";
import type { ConnectionTestResult } from "../amazon/sp-api-test";
import { AdsClient } from "./api/client";
import { describeProfile, discoverProfiles, type ProfileDiscovery } from "./api/profiles";
import { selectProfiles } from "./plan/profile-selection";
import type { AmazonAdsSettings } from "../settings/schema";
import type { AdsCredentials } from "./api/ads-app";

/**
 * "Test connection": a token alone proves little, so it lists every profile the login sees, marks the selected
 * ones, says which cannot run spCampaigns, and fails when a selected one is missing or unusable.
 */
export async function testAdsConnection(
  settings: AmazonAdsSettings & Partial<Pick<AdsCredentials, "app">>,
): Promise<ConnectionTestResult> {
  // One attempt each: the person clicking wants an answer now, not after backoff.
  const client = new AdsClient(settings, { retry: { maxAttempts: 1 } });
  let discovery: ProfileDiscovery;
  try {
    await client.accessToken();
    discovery = await discoverProfiles(client);
  } catch (error) {
    // A 401 from the Ads API makes the client refresh the token once; that refresh can fail too.
    if (isAmazonError(error) && (error.operation === TOKEN_REFRESH || error.kind === "auth"))
      return { ok: false, problem: error.reason ?? error.kind, message: error.message };
    throw error;
  }
  if (discovery.found.length === 0 && discovery.unreachable.length > 0) {
    const where = discovery.unreachable.map((u) => `${u.region}: ${u.error}`).join("; ");
    if (discovery.unreachable.some((u) => u.status !== undefined))
      return {
        ok: false,
        problem: "profiles_refused",
        message: `Login with Amazon accepted the credentials, but the Ads API refused to list profiles (${where}). The client ID may not be enabled for the Amazon Ads API.`,
      };
    return { ok: false, problem: "ads_api_unreachable", message: `The Amazon Ads API could not be reached (${where})` };
  }

  const selection = selectProfiles(settings, discovery);
  const profiles = discovery.found.map((p) => ({ ...p, selected: selection.selectedIds.has(p.profileId) }));
  const details = profiles.map((p) => {
    const mark = p.selected ? "selected" : "not selected";
    return `${describeProfile(p)} — ${mark}${p.canReport ? "" : `; cannot run spCampaigns: ${p.whyNot}`}`;
  });
  if (selection.problems.length === 0 && selection.run.length > 0) {
    const which = selection.run.map((p) => `${p.profileId} (${p.countryCode ?? p.region})`).join(", ");
    return {
      ok: true,
      message: `Connected ${settings.app === "operator" ? "with this server's app" : "with your own app"}. ${selection.run.length} profile(s) will be synced: ${which}.`,
      profiles,
      details,
    };
  }
  const missing = selection.problems.some((p) => !discovery.found.some((f) => f.profileId === p.profileId));
  const problem =
    selection.run.length + selection.problems.length === 0
      ? "no_profiles"
      : missing
        ? "profile_not_found"
        : "profile_cannot_report";
  const why =
    problem === "no_profiles"
      ? "this login sees no profile that can run spCampaigns"
      : selection.problems.map((p) => p.message).join("; ");
  const hint = discovery.found.length
    ? " The profiles this login can see are listed below."
    : " This login has no advertiser profiles.";
  return { ok: false, problem, message: `The credentials work, but ${why}.${hint}`, profiles, details };
}
