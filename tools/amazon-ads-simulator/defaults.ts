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

/**
 * Client 3's profiles: one seller login on several marketplaces in all three regions (ids in `profileIds` order).
 * GB and DE share campaign ids; the agency and the vendor without report access must be skipped by a syncer.
 */
export const SIM_MULTI_PROFILE_IDS = {
  /** EU, GB, GBP, Europe/London, seller. */
  GB: "3333000000000001",
  /** EU, DE, EUR, Europe/Berlin, seller; the same campaign ids as GB, its own names and metrics. */
  DE: "3333000000000002",
  /** NA, US, USD, America/Los_Angeles, seller. */
  US: "3333000000000003",
  /** FE, JP, JPY, Asia/Tokyo, seller. */
  JP: "3333000000000004",
  /** EU, FR, EUR, Europe/Paris, agency: listed (also for apiProgram=report), reporting calls 401. */
  AGENCY_FR: "3333000000000005",
  /** NA, CA, CAD, America/Toronto, vendor with reportAccess false: only in the plain listing, reporting calls 401. */
  VENDOR_CA_NO_REPORTS: "3333000000000006",
} as const;

/**
 * An instant at which client 3's profiles disagree on today's date: 2025-06-15 in London (23:30), Los Angeles
 * and Toronto; 2025-06-16 in Berlin and Paris (00:30) and Tokyo (07:30). Pass it as the simulator's `now`.
 */
export const SIM_MULTI_DATE_SPLIT_NOW = "2025-06-15T22:30:00.000Z";

const MULTI_SELLER_EU = "A3SIMULATORMULTIEU";

const MULTI_PROFILES: readonly SimProfile[] = [
  {
    profileId: SIM_MULTI_PROFILE_IDS.GB,
    region: "EU",
    countryCode: "GB",
    currencyCode: "GBP",
    timezone: "Europe/London",
    accountInfo: { marketplaceStringId: "A1F83G8C2ARO7P", id: MULTI_SELLER_EU, type: "seller", name: "Multi Store UK" },
    campaigns: 12,
  },
  {
    profileId: SIM_MULTI_PROFILE_IDS.DE,
    region: "EU",
    countryCode: "DE",
    currencyCode: "EUR",
    timezone: "Europe/Berlin",
    accountInfo: { marketplaceStringId: "A1PA6795UKMFR9", id: MULTI_SELLER_EU, type: "seller", name: "Multi Store DE" },
    campaigns: 12,
    campaignIdsFrom: SIM_MULTI_PROFILE_IDS.GB,
  },
  {
    profileId: SIM_MULTI_PROFILE_IDS.US,
    region: "NA",
    countryCode: "US",
    currencyCode: "USD",
    timezone: "America/Los_Angeles",
    accountInfo: {
      marketplaceStringId: "ATVPDKIKX0DER",
      id: "A1SIMULATORMULTINA",
      type: "seller",
      name: "Multi Store US",
    },
    campaigns: 12,
  },
  {
    profileId: SIM_MULTI_PROFILE_IDS.JP,
    region: "FE",
    countryCode: "JP",
    currencyCode: "JPY",
    timezone: "Asia/Tokyo",
    accountInfo: {
      marketplaceStringId: "A1VC38T7YXB528",
      id: "A2SIMULATORMULTIFE",
      type: "seller",
      name: "Multi Store JP",
    },
    campaigns: 12,
  },
  {
    profileId: SIM_MULTI_PROFILE_IDS.AGENCY_FR,
    region: "EU",
    countryCode: "FR",
    currencyCode: "EUR",
    timezone: "Europe/Paris",
    accountInfo: {
      marketplaceStringId: "A13V1IB3VIYZZH",
      id: "ENTITYSIMAGENCYFR",
      type: "agency",
      name: "Multi Agency FR",
    },
    // An agency profile has no campaigns of its own.
    campaigns: 0,
  },
  {
    profileId: SIM_MULTI_PROFILE_IDS.VENDOR_CA_NO_REPORTS,
    region: "NA",
    countryCode: "CA",
    currencyCode: "CAD",
    timezone: "America/Toronto",
    accountInfo: {
      marketplaceStringId: "A2EUQ1WTGCTBG2",
      id: "A3SIMULATORVENDORCA",
      type: "vendor",
      name: "Multi Brand CA",
    },
    campaigns: 12,
    reportAccess: false,
  },
];

/** The third tenant: one login with profiles on several marketplaces in NA, EU and FE (see SIM_MULTI_PROFILE_IDS). */
export const SIM_MULTI_CLIENT: SimClient = {
  clientId: "amzn1.application-oa2-client.simulator0000000000000000000003",
  clientSecret: "amzn1.oa2-cs.v1.5151515151515151515151515151515151515151515151515151515151510003",
  refreshToken: "Atzr|IwEBISimulatorRefreshToken-client0003-CCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCC",
  profileIds: MULTI_PROFILES.map((profile) => profile.profileId),
};

/** Client 3's profiles, in SIM_MULTI_PROFILE_IDS order (copies: edit freely, e.g. to add one at runtime). */
export function simMultiProfiles(): SimProfile[] {
  return MULTI_PROFILES.map((profile) => structuredClone(profile));
}

// Client 3's profiles come last so the first ones keep the campaign ids they have always had.
export const SIM_DEFAULT_PROFILES: readonly SimProfile[] = [
  DEFAULT_PROFILE,
  SECOND_EU_PROFILE,
  NA_PROFILE,
  ...MULTI_PROFILES,
];

export const SIM_DEFAULT_CLIENTS: readonly SimClient[] = [
  {
    clientId: SIM_DEFAULTS.clientId,
    clientSecret: SIM_DEFAULTS.clientSecret,
    refreshToken: SIM_DEFAULTS.refreshToken,
    profileIds: [DEFAULT_PROFILE.profileId, NA_PROFILE.profileId],
  },
  SIM_SECOND_CLIENT,
  SIM_MULTI_CLIENT,
];

export const DEFAULT_CAMPAIGNS_PER_PROFILE = 12;
export const MAX_CAMPAIGNS_PER_PROFILE = 200_000;
