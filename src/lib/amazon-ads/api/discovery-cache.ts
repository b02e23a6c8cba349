import { eq } from "drizzle-orm";
import { z } from "zod";
import type { DbOrTx } from "../../db";
import { amazonAdsLoginProfiles } from "../../db/schema";
import type { AdsClient } from "./client";
import { discoveredProfileSchema, discoverProfiles, type ProfileDiscovery } from "./profiles";
import { loginKeyOf } from "./shared-tokens";

/**
 * A dispatch's discovery, at most once per login and UTC day, shared by the organisations of one login and the
 * day's later units (a retry, a backfill). Only a complete listing (every region answered) is kept. `live` (a
 * per-organisation run, which asks Amazon again by design) lists again and keeps that listing for the others.
 */
export async function discoverProfilesOncePerDay(
  db: DbOrTx,
  login: AdsClient,
  options: { oneCallAtATime?: boolean; needed: "all" | readonly string[]; live?: boolean },
): Promise<ProfileDiscovery & { fromToday: boolean }> {
  const loginKey = loginKeyOf(login.settings.client_id, login.settings.refresh_token);
  const today = new Date().toISOString().slice(0, 10);
  const t = amazonAdsLoginProfiles;
  const [row] = await db.select().from(t).where(eq(t.loginKey, loginKey));
  const stored =
    row?.listedOn === today && !options.live ? z.array(discoveredProfileSchema).safeParse(row.profiles) : null;
  if (stored?.success) {
    const found = stored.data;
    // A listing of the readable profiles answers "all", and a list of ids it holds; else list again, fully.
    const answers =
      row!.full || options.needed === "all" || options.needed.every((id) => found.some((p) => p.profileId === id));
    if (answers) return { found, unreachable: [], full: row!.full, fromToday: true };
  }
  const discovery = await discoverProfiles(login, options);
  if (discovery.unreachable.length === 0) {
    const value = { full: discovery.full ?? false, profiles: discovery.found, listedOn: today, listedAt: new Date() };
    await db
      .insert(t)
      .values({ loginKey, ...value })
      .onConflictDoUpdate({ target: t.loginKey, set: value });
  }
  return { ...discovery, fromToday: false };
}
