import type { SimClient, SimProfile } from "./types";

// Fake credentials that only this simulator accepts; safe to print and commit.
const DEFAULT_PROFILE: SimProfile = {
  profileId: "366822873177837",
  region: "EU",
  countryCode: "GB",
  currencyCode: "GBP",
  timezone: "Europe/London",
  accountInfo: {
    marketplaceStringId: "A1F83G8C2ARO7P",
    id: "A2SIMULATORSELLERUK",
    type: "seller",
    name: "Simulator Store UK",
  },
  campaigns: 12,
};

const SECOND_EU_PROFILE: SimProfile = {
  profileId: "4444555566667777",
  region: "EU",
  countryCode: "DE",
  currencyCode: "EUR",
  timezone: "Europe/Berlin",
  accountInfo: {
    marketplaceStringId: "A1PA6795UKMFR9",
    id: "A3SIMULATORSELLERDE",
    type: "seller",
    name: "Simulator Handel DE",
  },
  campaigns: 12,
};

const NA_PROFILE: SimProfile = {
  profileId: "1111222233334444",
  region: "NA",
  countryCode: "US",
  currencyCode: "USD",
  timezone: "America/Los_Angeles",
  accountInfo: {
    marketplaceStringId: "ATVPDKIKX0DER",
    id: "A1SIMULATORVENDORUS",
    type: "vendor",
    name: "Simulator Brand US",
  },
  campaigns: 12,
};

export const SIM_DEFAULTS = {
  clientId: "amzn1.application-oa2-client.simulator0000000000000000000001",
  clientSecret: "amzn1.oa2-cs.v1.5151515151515151515151515151515151515151515151515151515151510001",
  refreshToken: "Atzr|IwEBISimulatorRefreshToken-client0001-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
  profileId: "366822873177837",
  profile: DEFAULT_PROFILE,
} as const satisfies {
  clientId: string;
  clientSecret: string;
  refreshToken: string;
  profileId: string;
  profile: SimProfile;
};

/** The second tenant: its own client and its own EU profile (for multi-org tests). */
export const SIM_SECOND_CLIENT: SimClient = {
  clientId: "amzn1.application-oa2-client.simulator0000000000000000000002",
  clientSecret: "amzn1.oa2-cs.v1.5151515151515151515151515151515151515151515151515151515151510002",
  refreshToken: "Atzr|IwEBISimulatorRefreshToken-client0002-BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB",
  profileIds: [SECOND_EU_PROFILE.profileId],
};

export const SIM_DEFAULT_PROFILES: readonly SimProfile[] = [DEFAULT_PROFILE, SECOND_EU_PROFILE, NA_PROFILE];

export const SIM_DEFAULT_CLIENTS: readonly SimClient[] = [
  {
    clientId: SIM_DEFAULTS.clientId,
    clientSecret: SIM_DEFAULTS.clientSecret,
    refreshToken: SIM_DEFAULTS.refreshToken,
    profileIds: [DEFAULT_PROFILE.profileId, NA_PROFILE.profileId],
  },
  SIM_SECOND_CLIENT,
];

export const DEFAULT_CAMPAIGNS_PER_PROFILE = 12;
export const MAX_CAMPAIGNS_PER_PROFILE = 200_000;
