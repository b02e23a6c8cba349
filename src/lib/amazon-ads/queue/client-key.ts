import type { AdsRegion } from "../../settings/schema";

/**
 * What Amazon's limits are shared by, and so what ours count: one LwA client id (Amazon throttles per
 * app) in one region (report queues are regional). Thousands of organisations on the operator's app
 * share one key per region; an organisation with its own app has its own.
 */
export function clientKeyOf(login: { client_id: string; region: AdsRegion }): string {
  return `${login.client_id}@${login.region}`;
}
