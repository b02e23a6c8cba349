import { Rng } from "./random";
import type { Region, SimClient, SimProfile } from "./types";

// Many organisations for scale runs: each its own LwA client (id, secret, refresh token) and 1 to
// `maxProfiles` profiles on distinct marketplaces, with campaign counts drawn from [minCampaigns, maxCampaigns].
// With `sharedClient`, every organisation is a login of one app instead (one client id and secret, each
// organisation its own refresh token and profiles). Deterministic for a seed, so a benchmark and its truth
// (`expectedRowCount`) agree across runs.

/** The one app's credentials with `sharedClient: true`. */
export const SCALE_SHARED_CLIENT_ID = "amzn1.application-oa2-client.scaleshared";
export const SCALE_SHARED_CLIENT_SECRET = "amzn1.oa2-cs.v1.scale-shared-secret";

const MARKETPLACES: ReadonlyArray<[Region, string, string, string, string]> = [
  ["EU", "GB", "GBP", "Europe/London", "A1F83G8C2ARO7P"],
  ["NA", "US", "USD", "America/Los_Angeles", "ATVPDKIKX0DER"],
  ["EU", "DE", "EUR", "Europe/Berlin", "A1PA6795UKMFR9"],
  ["FE", "JP", "JPY", "Asia/Tokyo", "A1VC38T7YXB528"],
  ["NA", "CA", "CAD", "America/Toronto", "A2EUQ1WTGCTBG2"],
  ["EU", "FR", "EUR", "Europe/Paris", "A13V1IB3VIYZZH"],
  ["FE", "AU", "AUD", "Australia/Sydney", "A39IBJ37TRP1C6"],
  ["EU", "IT", "EUR", "Europe/Rome", "APJ6JRA9NG5V4"],
];

export interface ScaleAccountsOptions {
  /** Default 1. */
  seed?: number;
  /** Profiles per organisation are drawn from [1, maxProfiles]; default 5, at most 8. */
  maxProfiles?: number;
  /** Default 5. */
  minCampaigns?: number;
  /** Default 5000. */
  maxCampaigns?: number;
  /**
   * Default false: each organisation its own client id and secret. true: all share the client id
   * SCALE_SHARED_CLIENT_ID and secret SCALE_SHARED_CLIENT_SECRET (one LwA app authorised by every
   * organisation), each still with its own refresh token and profiles. Profiles, campaign counts and refresh
   * tokens are the same either way.
   */
  sharedClient?: boolean;
}

/** `organisations` clients and their profiles, ready for `startSimulator({ clients, profiles })`. */
export function simScaleAccounts(
  organisations: number,
  options: ScaleAccountsOptions = {},
): { clients: SimClient[]; profiles: SimProfile[] } {
  const { seed = 1, maxProfiles = 5, minCampaigns = 5, maxCampaigns = 5000, sharedClient = false } = options;
  if (maxProfiles < 1 || maxProfiles > MARKETPLACES.length) {
    throw new Error(`maxProfiles must be between 1 and ${MARKETPLACES.length}`);
  }
  const rng = new Rng(seed);
  const clients: SimClient[] = [];
  const profiles: SimProfile[] = [];
  for (let org = 0; org < organisations; org++) {
    const tag = String(org + 1).padStart(6, "0");
    const count = 1 + rng.int(maxProfiles);
    const first = rng.int(MARKETPLACES.length);
    const profileIds: string[] = [];
    for (let p = 0; p < count; p++) {
      const [region, countryCode, currencyCode, timezone, marketplaceStringId] =
        MARKETPLACES[(first + p) % MARKETPLACES.length]!;
      const profileId = `5${tag}${String(p).padStart(2, "0")}${String(seed % 1000).padStart(3, "0")}`;
      profileIds.push(profileId);
      profiles.push({
        profileId,
        region,
        countryCode,
        currencyCode,
        timezone,
        accountInfo: {
          marketplaceStringId,
          id: `ASCALE${tag}`,
          type: "seller",
          name: `Scale org ${tag} ${countryCode}`,
        },
        campaigns: minCampaigns + rng.int(maxCampaigns - minCampaigns + 1),
      });
    }
    clients.push({
      clientId: sharedClient ? SCALE_SHARED_CLIENT_ID : `amzn1.application-oa2-client.scale${tag}`,
      clientSecret: sharedClient ? SCALE_SHARED_CLIENT_SECRET : `amzn1.oa2-cs.v1.scale-secret-${tag}`,
      refreshToken: `Atzr|IwEBIScaleRefreshToken-${tag}`,
      profileIds,
    });
  }
  return { clients, profiles };
}
