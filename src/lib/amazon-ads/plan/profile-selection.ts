import { listedProfileIds, type AmazonAdsSettings } from "../../settings/schema";
import type { DiscoveredProfile, ProfileDiscovery } from "../api/profiles";

/**
 * Which profiles a run syncs (`run`): the listed ids (the spec's profile_id: exactly that profile), or every
 * profile the login can see that can run spCampaigns (new ones join by themselves). `only` narrows
 * it further (a backfill of one profile). A listed profile that is gone, or cannot run the report,
 * is a problem of that profile only (`problems`, logged for it). `selectedIds`: every id the settings
 * select, found or not: a failed date of any other profile is abandoned.
 */
export function selectProfiles(settings: AmazonAdsSettings, discovery: ProfileDiscovery, only?: readonly string[]) {
  const byId = new Map(discovery.found.map((p) => [p.profileId, p]));
  const ids =
    settings.profiles === "all"
      ? discovery.found.filter((p) => p.canReport).map((p) => p.profileId)
      : listedProfileIds(settings);
  const selectedIds = new Set(ids);
  const wanted = only ? ids.filter((id) => only.includes(id)) : ids;
  const problems = (only ?? [])
    .filter((id) => !selectedIds.has(id))
    .map((profileId) => ({ profileId, message: `Profile ${profileId} is not one this organisation syncs` }));
  const run: DiscoveredProfile[] = [];
  for (const profileId of wanted) {
    const profile = byId.get(profileId);
    if (profile?.canReport) run.push(profile);
    else if (profile)
      problems.push({ profileId, message: `Profile ${profileId} cannot run spCampaigns: ${profile.whyNot}` });
    else problems.push({ profileId, message: missingReason(profileId, discovery) });
  }
  return { run, problems, selectedIds };
}

function missingReason(profileId: string, discovery: ProfileDiscovery): string {
  if (discovery.unreachable.length > 0) {
    const where = discovery.unreachable.map((u) => `${u.region}: ${u.error}`).join("; ");
    return `Profile ${profileId} was not found, and the profiles of some regions could not be listed (${where})`;
  }
  return `Profile ${profileId} is not among the profiles this login can see in NA, EU or FE (removed, or access withdrawn)`;
}
