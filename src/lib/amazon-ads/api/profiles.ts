import { z } from "zod";
import { isAmazonError, TOKEN_REFRESH } from "../../amazon/errors";
import { REGIONS, type AdsRegion } from "../../settings/schema";
import type { AdsClient, AdsProfile } from "./client";

/** A profile the login can see, where it lives, whether it can run spCampaigns (stored in its unit as JSON). */
export const discoveredProfileSchema = z.object({
  profileId: z.string().regex(/^\d+$/),
  region: z.enum(REGIONS),
  countryCode: z.string().nullable(),
  currencyCode: z.string().nullable(),
  timezone: z.string().nullable(),
  accountType: z.string().nullable(),
  accountName: z.string().nullable(),
  canReport: z.boolean(),
  /** Why it cannot run this report, when it cannot. */
  whyNot: z.string().optional(),
});
export type DiscoveredProfile = z.infer<typeof discoveredProfileSchema>;

export interface ProfileDiscovery {
  found: DiscoveredProfile[];
  /** Regions whose listing failed this time (their profiles are unknown, not gone); `status` when Amazon answered. */
  unreachable: Array<{ region: AdsRegion; error: string; status?: number }>;
  /** Both listings were made (every profile, readable or not). */
  full?: boolean;
}

/**
 * Every profile the login can see in NA, EU and FE (each on its region's host). The readable listing first;
 * the full listing only when a `needed` id is not in it, to say why (unreadable, or gone). Agency profiles hold
 * no campaigns of their own (Airbyte skips them too).
 */
export async function discoverProfiles(
  login: AdsClient,
  options: { oneCallAtATime?: boolean; needed?: "all" | readonly string[] } = {},
): Promise<ProfileDiscovery> {
  const listings = async (reportAccess: boolean) => {
    const byRegion = new Map<AdsRegion, AdsProfile[]>();
    const unreachable: ProfileDiscovery["unreachable"] = [];
    const list = async (region: AdsRegion) => {
      try {
        byRegion.set(region, await login.forProfile("", region).listProfiles({ reportAccess }));
      } catch (error) {
        if (!isAmazonError(error) || error.operation === TOKEN_REFRESH) throw error;
        unreachable.push({ region, error: error.message, status: error.status });
      }
    };
    if (options.oneCallAtATime) for (const region of REGIONS) await list(region);
    else await Promise.all(REGIONS.map(list));
    return { byRegion, unreachable };
  };
  const readable = await listings(true);
  const readableIds = new Set([...readable.byRegion.values()].flat().map((p) => p.profileIdText));
  const { needed } = options;
  const enough = needed === "all" || (needed !== undefined && needed.every((id) => readableIds.has(id)));
  const every = enough ? readable : await listings(false);
  const discovery: ProfileDiscovery = { found: [], unreachable: [], full: !enough };
  for (const region of REGIONS) {
    const all = every.byRegion.get(region);
    const canRead = readable.byRegion.get(region);
    const failed =
      every.unreachable.find((u) => u.region === region) ?? readable.unreachable.find((u) => u.region === region);
    if (!all || !canRead) {
      discovery.unreachable.push(failed!);
      continue;
    }
    const ids = new Set(canRead.map((p) => p.profileIdText));
    for (const p of all) discovery.found.push(toDiscovered(p, region, ids.has(p.profileIdText)));
  }
  discovery.found.sort(
    (a, b) => REGIONS.indexOf(a.region) - REGIONS.indexOf(b.region) || a.profileId.localeCompare(b.profileId),
  );
  return discovery;
}

function toDiscovered(p: AdsProfile, region: AdsRegion, readable: boolean): DiscoveredProfile {
  const accountType = p.accountInfo?.type ?? null;
  const whyNot =
    accountType === "agency"
      ? "an agency profile: it has no campaigns of its own"
      : !readable
        ? "this login may not read its reports (Amazon does not list it for reporting)"
        : undefined;
  return {
    profileId: p.profileIdText,
    region,
    countryCode: p.countryCode ?? null,
    currencyCode: p.currencyCode ?? null,
    timezone: p.timezone ?? null,
    accountType,
    accountName: p.accountInfo?.name ?? null,
    canReport: whyNot === undefined,
    ...(whyNot ? { whyNot } : {}),
  };
}

export function describeProfile(p: DiscoveredProfile): string {
  const name = p.accountName ? ` "${p.accountName}"` : "";
  const type = p.accountType ? ` (${p.accountType})` : "";
  return `${p.profileId} — ${p.region}, ${p.countryCode ?? "?"}, ${p.currencyCode ?? "?"}, ${p.timezone ?? "?"}${name}${type}`;
}
