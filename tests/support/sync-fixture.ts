import { sql } from "drizzle-orm";
import type { Db } from "@/lib/db";
import { setupFirstAdmin } from "@/lib/orgs/accounts";
import type { Simulator } from "../../tools/amazon-ads-simulator/index";

/** Organisation 1 and its admin, as the first-run setup creates them. */
export function createOrgOne(): Promise<unknown> {
  return setupFirstAdmin({
    email: "admin@example.com",
    password: "correct horse battery",
    organisationName: "Org One",
  });
}

/** Before each sync test: the simulator back to its defaults, and no rows, requests or runs left over. */
export async function resetSyncState(db: Db, sim: Simulator): Promise<void> {
  sim.reset();
  sim.setScenario({ pollsBeforeComplete: 1 });
  for (const table of [
    "amazon_sp_ads",
    "amazon_ads_day_loads",
    "amazon_ads_pending_reports",
    "amazon_ads_request_units",
    "amazon_ads_client_backoff",
    "sync_logs",
  ]) {
    await db.execute(sql.raw(`delete from ${table}`));
  }
}
