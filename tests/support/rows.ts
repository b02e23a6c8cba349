import { sql } from "drizzle-orm";
import type { Db } from "@/lib/db";
import { REQUESTED_COLUMNS } from "@/lib/catalogue/sp-campaigns";
import { SIM_DEFAULTS, type Simulator } from "../../tools/amazon-ads-simulator/index";

export const REQUESTED_API_NAMES = REQUESTED_COLUMNS.map((c) => c.api);

/** Every requested column of an org's rows as the database's own text (no JS number in between). */
export async function storedRows(
  db: Db,
  orgId: number,
  date?: string,
  profileId?: string,
): Promise<Array<Record<string, string | null>>> {
  const cols = REQUESTED_COLUMNS.map((c) => sql`${sql.raw(`"${c.db}"`)}::text as ${sql.raw(`"${c.api}"`)}`);
  const byDate = date ? sql`and date = ${date}` : sql``;
  const byProfile = profileId ? sql`and profile_id = ${profileId}` : sql``;
  const result = await db.execute(
    sql`select ${sql.join(cols, sql`, `)} from amazon_sp_ads where org_id = ${orgId} ${byDate} ${byProfile} order by date, campaign_id`,
  );
  return (result as unknown as { rows: Array<Record<string, string | null>> }).rows;
}

/** Amazon's JSON text → what Postgres prints for the same value in our column type. */
export function normaliseExpected(rows: Array<Record<string, string | null>>): Array<Record<string, string | null>> {
  return rows.map((row) => Object.fromEntries(REQUESTED_API_NAMES.map((api) => [api, row[api] ?? null])));
}

/** The rows of one day of a profile's report at Amazon (the default profile's), as storedRows prints them. */
export function amazonRows(sim: Simulator, date: string, profileId: string = SIM_DEFAULTS.profileId) {
  return normaliseExpected(sim.expectedRows(profileId, date, date, REQUESTED_API_NAMES));
}
