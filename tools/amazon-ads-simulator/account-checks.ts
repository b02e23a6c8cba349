import { todayInTimezone } from "./dates";
import { DEFAULT_CAMPAIGNS_PER_PROFILE, MAX_CAMPAIGNS_PER_PROFILE } from "./defaults";
import type { Region, SimClient, SimClientFaults, SimProfile } from "./types";

// Checks on the accounts a simulator is given (at start or at runtime), so the handlers never meet one they
// could not serve.

export function validCampaignCount(value: number): number {
  if (!Number.isInteger(value) || value < 0 || value > MAX_CAMPAIGNS_PER_PROFILE) {
    throw new Error(`campaigns must be an integer between 0 and ${MAX_CAMPAIGNS_PER_PROFILE}, got ${value}`);
  }
  return value;
}

const REGIONS: ReadonlySet<string> = new Set<Region>(["NA", "EU", "FE"]);

/** Fails early on a profile the handlers could not serve (bad id, region or time zone). */
export function checkProfile(profile: SimProfile): void {
  if (!/^\d+$/.test(profile.profileId)) throw new Error(`profileId must be digits: ${profile.profileId}`);
  if (!REGIONS.has(profile.region)) throw new Error(`region must be NA, EU or FE: ${profile.region}`);
  try {
    todayInTimezone(new Date(0), profile.timezone);
  } catch {
    throw new Error(`Unknown time zone ${profile.timezone} for profile ${profile.profileId}`);
  }
  if (profile.campaignIdsFrom !== undefined && !/^\d+$/.test(profile.campaignIdsFrom)) {
    throw new Error(`campaignIdsFrom must be a profile id: ${profile.campaignIdsFrom}`);
  }
  validCampaignCount(profile.campaigns ?? DEFAULT_CAMPAIGNS_PER_PROFILE);
}

/** Fails early on malformed fault settings of a client (from options or the admin route). */
export function checkClientFaults(clientId: string, faults: SimClientFaults): void {
  const storm = faults.storm429;
  if (storm === undefined || storm === null) return;
  const retryAfter = (storm as { retryAfterSeconds?: unknown }).retryAfterSeconds;
  if (
    typeof storm !== "object" ||
    (retryAfter !== undefined && (typeof retryAfter !== "number" || !(retryAfter >= 0)))
  ) {
    throw new Error(`storm429 of client ${clientId} must be {} or {"retryAfterSeconds": N} with N >= 0`);
  }
}

/** Replaces the client's (an app's) fault settings with these (a field left out or null is off). */
export function setFaults(client: Pick<SimClient, "clientId" | "storm429">, faults: SimClientFaults): void {
  checkClientFaults(client.clientId, faults);
  if (faults.storm429) client.storm429 = { ...faults.storm429 };
  else delete client.storm429;
}

/** The profile whose campaign ids this one takes, if another. */
export function idSourceOf(profile: SimProfile): string | undefined {
  return profile.campaignIdsFrom === profile.profileId ? undefined : profile.campaignIdsFrom;
}

/** Agencies have no campaigns of their own, and a profile without report access lets no report through. */
export function mayReport(profile: SimProfile): boolean {
  return profile.accountInfo.type !== "agency" && profile.reportAccess !== false;
}
