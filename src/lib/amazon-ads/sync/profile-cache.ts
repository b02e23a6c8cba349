import type { DbOrTx } from "../../db";
import { getSetting, saveSetting } from "../../settings/store";
import type { AdsClient } from "../api/client";
import { findProfile, profileInfoSchema, toProfileInfo, type ProfileInfo } from "../api/profiles";

const PROFILE_KEY = "amazon_ads_profile";

/** The profile's details (time zone above all), cached with the settings; looked up again when the profile or region changes. */
export async function resolveProfile(orgId: number, client: AdsClient, db?: DbOrTx): Promise<ProfileInfo> {
  const cached = profileInfoSchema.safeParse(await getSetting(orgId, PROFILE_KEY, db).catch(() => null));
  if (
    cached.success &&
    cached.data.profile_id === client.settings.profile_id &&
    cached.data.region === client.settings.region
  )
    return cached.data;
  const info = toProfileInfo(await findProfile(client), client.settings.region);
  await saveSetting(orgId, PROFILE_KEY, info, db);
  return info;
}
