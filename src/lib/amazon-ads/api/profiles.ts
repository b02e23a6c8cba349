import { z } from "zod";
import { isAmazonError, TOKEN_REFRESH } from "../../amazon/errors";
import { REGIONS, type AdsRegion } from "../../settings/schema";
import type { AdsClient, AdsProfile } from "./client";

/**
 * An advertiser profile the login can see, with where it lives and whether it can run spCampaigns.
 * A schema, because a phase-1 unit stores it as JSON and the worker reads it back (units.ts).
 */
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
  /** Regions whose listing failed this time (their profiles are unknown, not gone). */
  unreachable: Array<{
    region: AdsRegion;
    error: string;
    /** Amazon answered (with this HTTP status) rather than not at all. */
    status?: number;
  }>;
}

/**
 * Every profile the login can see, in NA, EU and FE (Amazon lists a region's profiles on that
 * region's host only). Two listings per region: all profiles, and those whose reports the login may
 * read; a profile only in the first cannot run this report. Agency profiles hold no campaigns of
 * their own (Airbyte skips them too).
 */
export async function discoverProfiles(
  login: AdsClient,
  options: { oneCallAtATime?: boolean } = {},
): Promise<ProfileDiscovery> {
  const discovery: ProfileDiscovery = { found: [], unreachable: [] };
  const serial = options.oneCallAtATime ?? false;
  const listRegion = async (region: AdsRegion) => {
    const client = login.forProfile("", region);
    try {
      const all = serial ? await client.listProfiles() : null;
      const [everyProfile, readable] = await Promise.all([
        all ?? client.listProfiles(),
        client.listProfiles({ reportAccess: true }),
      ]);
      const canRead = new Set(readable.map((p) => p.profileIdText));
      for (const p of everyProfile) discovery.found.push(toDiscovered(p, region, canRead.has(p.profileIdText)));
    } catch (error) {
      if (!isAmazonError(error) || error.operation === TOKEN_REFRESH) throw error;
      discovery.unreachable.push({ region, error: error.message, status: error.status });
    }
  };
  // A worker bounds the calls per client id by its units, so it asks one listing at a time.
  if (serial) for (const region of REGIONS) await listRegion(region);
  else await Promise.all(REGIONS.map(listRegion));
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
