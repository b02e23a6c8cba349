import { z } from "zod";
import { AmazonError } from "../../amazon/errors";
import { REGIONS, type AdsRegion, type AmazonAdsSettings } from "../../settings/schema";
import { AdsClient, type AdsClientOptions, type AdsProfile } from "./client";

function profileNotFound(profileId: string, region: AdsRegion, found: AdsProfile[]): AmazonError {
  const listed = found.length ? ` (found: ${found.map((p) => p.profileIdText).join(", ")})` : " (none found there)";
  return new AmazonError(
    "profile",
    `Profile ${profileId} is not among the advertiser profiles this login can use in region ${region}${listed}`,
    { reason: "not_found" },
  );
}

export const profileInfoSchema = z.object({
  profile_id: z.string(),
  region: z.enum(REGIONS),
  timezone: z.string().nullable(),
  country_code: z.string().nullable(),
  currency_code: z.string().nullable(),
  account_name: z.string().nullable(),
  account_type: z.string().nullable(),
  checked_at: z.string(),
});
export type ProfileInfo = z.infer<typeof profileInfoSchema>;

export function describeProfile(p: AdsProfile): string {
  const name = p.accountInfo?.name ? ` "${p.accountInfo.name}"` : "";
  return `${p.profileIdText} — ${p.countryCode ?? "?"}, ${p.currencyCode ?? "?"}, ${p.timezone ?? "?"}${name}${p.accountInfo?.type ? ` (${p.accountInfo.type})` : ""}`;
}

export function toProfileInfo(p: AdsProfile, region: AdsRegion): ProfileInfo {
  return {
    profile_id: p.profileIdText,
    region,
    timezone: p.timezone ?? null,
    country_code: p.countryCode ?? null,
    currency_code: p.currencyCode ?? null,
    account_name: p.accountInfo?.name ?? null,
    account_type: p.accountInfo?.type ?? null,
    checked_at: new Date().toISOString(),
  };
}

export async function findProfile(client: AdsClient): Promise<AdsProfile> {
  const profiles = await client.listProfiles();
  const match = profiles.find((p) => p.profileIdText === client.settings.profile_id);
  if (!match) throw profileNotFound(client.settings.profile_id, client.settings.region, profiles);
  return match;
}

/** For a failed lookup: in which other regions does this login see the profile? */
export async function regionsHavingProfile(
  settings: AmazonAdsSettings,
  options: AdsClientOptions,
): Promise<AdsRegion[]> {
  const others = REGIONS.filter((r) => r !== settings.region);
  const hits = await Promise.all(
    others.map(async (region) => {
      const profiles = await new AdsClient({ ...settings, region }, options).listProfiles().catch(() => []);
      return profiles.some((p) => p.profileIdText === settings.profile_id) ? region : null;
    }),
  );
  return hits.filter((r): r is AdsRegion => r !== null);
}
