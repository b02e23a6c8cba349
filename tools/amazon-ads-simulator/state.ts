import { randomBytes } from "node:crypto";
import type { GroupBy } from "./columns";
import { IdentityAllocator, withCampaignIdsOf, type Account, type AccountIdentity, type ReportPlan } from "./data";
import { parseIsoDay, todayInTimezone } from "./dates";
import {
  DEFAULT_CAMPAIGNS_PER_PROFILE,
  MAX_CAMPAIGNS_PER_PROFILE,
  SIM_DEFAULT_CLIENTS,
  SIM_DEFAULT_PROFILES,
} from "./defaults";
import type { ReportFile } from "./report-file";
import { cloneScenario, defaultScenario, mergeScenario } from "./scenario";
import type {
  RecordedRequest,
  Region,
  ReportFilter,
  ReportStatus,
  ReportSummary,
  Scenario,
  SimClient,
  SimProfile,
  SimulatorOptions,
  TimeUnit,
} from "./types";

export interface IssuedToken {
  clientId: string;
  /** Milliseconds on the simulator's clock. */
  expiresAt: number;
}

/** An authorization code from the consent page (consent.ts). */
export interface IssuedCode {
  clientId: string;
  redirectUri: string;
  /** Milliseconds on the simulator's clock. */
  expiresAt: number;
}

export interface ReportShape {
  timeUnit: TimeUnit;
  groupBy: GroupBy[];
  filters: ReportFilter[];
  columns: string[];
}

export interface ReportRecord {
  reportId: string;
  profileId: string;
  region: Region;
  name: string | null;
  startDate: string;
  endDate: string;
  /** The configuration as echoed by Amazon (filters defaulting to null). */
  configuration: Record<string, unknown>;
  /** Canonical (profile, dates, configuration) text for 425 duplicate detection. */
  duplicateKey: string;
  shape: ReportShape;
  createdAt: string;
  /** Part of the S3 object key, as in Amazon's `<reportId>-<epoch ms>/report-<reportId>-<epoch ms>.json.gz`. */
  createdMs: number;
  updatedAt: string;
  status: ReportStatus;
  polls: number;
  deleted: boolean;
  failureReason: string | null;
  generatedAt: string | null;
  file: ReportFile | null;
  /** Set while the file is being generated, so concurrent polls share the work. */
  completion: Promise<void> | null;
  /** Signatures of URLs answered "Request has expired" (expireUrlOnce); they stay expired. */
  expiredSignatures: Set<string>;
  expiredOnceServed: boolean;
}

interface ProfileState {
  profile: SimProfile;
  campaigns: number;
  identity: AccountIdentity;
}

function validCampaignCount(value: number): number {
  if (!Number.isInteger(value) || value < 0 || value > MAX_CAMPAIGNS_PER_PROFILE) {
    throw new Error(`campaigns must be an integer between 0 and ${MAX_CAMPAIGNS_PER_PROFILE}, got ${value}`);
  }
  return value;
}

const REGIONS: ReadonlySet<string> = new Set<Region>(["NA", "EU", "FE"]);

/** Fails early on a profile the handlers could not serve (bad id, region or time zone). */
function checkProfile(profile: SimProfile): void {
  if (!/^\d+$/.test(profile.profileId)) throw new Error(`profileId must be digits: ${profile.profileId}`);
  if (!REGIONS.has(profile.region)) throw new Error(`region must be NA, EU or FE: ${profile.region}`);
  try {
    todayInTimezone(new Date(0), profile.timezone);
  } catch {
    throw new Error(`Unknown time zone ${profile.timezone} for profile ${profile.profileId}`);
  }
  if (profile.campaignIdsFrom !== undefined && !/^\d+$/.test(profile.campaignIdsFrom)) {
    throw new Error(`campaignIdsFrom must be a profile id: ${profile.campaignIdsFrom}`);
  }
  validCampaignCount(profile.campaigns ?? DEFAULT_CAMPAIGNS_PER_PROFILE);
}

/** The profile whose campaign ids this one takes, if another. */
function idSourceOf(profile: SimProfile): string | undefined {
  return profile.campaignIdsFrom === profile.profileId ? undefined : profile.campaignIdsFrom;
}

/** Agencies have no campaigns of their own, and a profile without report access lets no report through. */
export function mayReport(profile: SimProfile): boolean {
  return profile.accountInfo.type !== "agency" && profile.reportAccess !== false;
}

export class SimulatorState {
  readonly now: () => Date;
  readonly clients = new Map<string, SimClient>();
  /**
   * Every profile Amazon knows, including ones no client has access to any more (so `expectedRows` still
   * answers for a removed profile). Access is the clients' `profileIds`.
   */
  readonly profiles = new Map<string, ProfileState>();
  readonly tokens = new Map<string, IssuedToken>();
  /** Authorization codes from the consent page, removed when exchanged (single use). */
  readonly authCodes = new Map<string, IssuedCode>();
  readonly reports = new Map<string, ReportRecord>();
  readonly requests: RecordedRequest[] = [];
  /** Key for the fake S3 presigned-URL signatures. */
  readonly signingKey = randomBytes(32);
  readonly closing = new AbortController();
  scenario: Scenario;
  baseUrl = "";
  private readonly initialScenario: Scenario;
  private readonly initialProfiles: readonly SimProfile[];
  private readonly initialClients: readonly SimClient[];
  private readonly identities = new IdentityAllocator();

  constructor(options: SimulatorOptions) {
    this.now = options.now ?? (() => new Date());
    const profiles = (options.profiles ?? SIM_DEFAULT_PROFILES).map((profile) => structuredClone(profile));
    // Custom profiles without custom clients: the default client may use all of them.
    const clients: SimClient[] =
      options.clients?.map((client) => structuredClone(client)) ??
      (options.profiles
        ? [{ ...structuredClone(SIM_DEFAULT_CLIENTS[0]!), profileIds: profiles.map((profile) => profile.profileId) }]
        : SIM_DEFAULT_CLIENTS.map((client) => structuredClone(client)));
    this.initialProfiles = profiles;
    this.initialClients = clients;
    this.loadAccounts();
    this.initialScenario = mergeScenario(defaultScenario(), options.scenario ?? {});
    this.scenario = cloneScenario(this.initialScenario);
  }

  /** (Re)builds profiles and client access from the starting ones; identities are stable across calls. */
  private loadAccounts(): void {
    this.profiles.clear();
    this.clients.clear();
    const pending = this.initialProfiles.map((profile) => structuredClone(profile));
    pending.forEach(checkProfile);
    // Own identities first, in the given order, so the default profiles keep the ids they always had.
    for (const profile of pending) this.identities.identityOf(profile.profileId);
    // A profile may take its campaign ids from one listed after it: add in passes until nothing moves.
    while (pending.length > 0) {
      const ready = pending.filter((profile) => {
        const source = idSourceOf(profile);
        return source === undefined || this.profiles.has(source);
      });
      if (ready.length === 0) {
        const names = pending.map((profile) => `${profile.profileId} <- ${profile.campaignIdsFrom}`).join(", ");
        throw new Error(`campaignIdsFrom names an unknown profile or makes a cycle: ${names}`);
      }
      for (const profile of ready) {
        this.putProfile(profile);
        pending.splice(pending.indexOf(profile), 1);
      }
    }
    // Back into the given order: /v2/profiles lists them in map order.
    const added = new Map(this.profiles);
    this.profiles.clear();
    for (const { profileId } of this.initialProfiles) this.profiles.set(profileId, added.get(profileId)!);
    for (const client of this.initialClients) {
      const copy = structuredClone(client);
      for (const profileId of copy.profileIds) {
        if (!this.profiles.has(profileId)) throw new Error(`Client ${copy.clientId} has unknown profile ${profileId}`);
      }
      this.clients.set(copy.clientId, copy);
    }
  }

  /** Stores a checked profile whose `campaignIdsFrom` (if any) is already known. */
  private putProfile(profile: SimProfile): void {
    let identity: AccountIdentity = this.identities.identityOf(profile.profileId);
    const sourceId = idSourceOf(profile);
    if (sourceId !== undefined) {
      const source = this.profiles.get(sourceId);
      if (!source) throw new Error(`campaignIdsFrom: unknown profile ${sourceId}`);
      identity = withCampaignIdsOf(identity, source.identity);
    }
    this.profiles.set(profile.profileId, {
      profile,
      campaigns: validCampaignCount(profile.campaigns ?? DEFAULT_CAMPAIGNS_PER_PROFILE),
      identity,
    });
  }

  setScenario(patch: Partial<Scenario>): void {
    this.scenario = mergeScenario(this.scenario, patch);
  }

  /**
   * Back to the starting state: scenario as given at start, request log empty, no reports, the starting profiles
   * (original account sizes, added ones gone, removed ones back) and client access.
   */
  reset(): void {
    this.scenario = cloneScenario(this.initialScenario);
    this.requests.length = 0;
    this.reports.clear();
    this.authCodes.clear();
    this.loadAccounts();
  }

  setProfileCampaigns(profileId: string, campaigns: number): void {
    const profile = this.profiles.get(profileId);
    if (!profile) throw new Error(`Unknown profile ${profileId}`);
    profile.campaigns = validCampaignCount(campaigns);
  }

  /**
   * The profile appears at Amazon for this client: a new one, or a known one whose details these replace (a
   * profile is one entity at Amazon, whichever logins see it). Campaign count is the given one, else the
   * current one, else the default.
   */
  addProfile(clientId: string, input: SimProfile): void {
    const client = this.clients.get(clientId);
    if (!client) throw new Error(`Unknown client ${clientId}`);
    const profile = structuredClone(input);
    checkProfile(profile);
    profile.campaigns ??= this.profiles.get(profile.profileId)?.campaigns;
    this.putProfile(profile);
    if (!client.profileIds.includes(profile.profileId)) client.profileIds.push(profile.profileId);
  }

  /** The client loses the profile; the profile's data and reports stay (another login may still see it). */
  removeProfile(clientId: string, profileId: string): void {
    const client = this.clients.get(clientId);
    if (!client) throw new Error(`Unknown client ${clientId}`);
    const index = client.profileIds.indexOf(profileId);
    if (index < 0) throw new Error(`Client ${clientId} has no profile ${profileId}`);
    client.profileIds.splice(index, 1);
  }

  clientCanUse(clientId: string, profileId: string): boolean {
    return this.clients.get(clientId)?.profileIds.includes(profileId) ?? false;
  }

  profile(profileId: string): SimProfile | null {
    return this.profiles.get(profileId)?.profile ?? null;
  }

  today(profileId: string): number {
    const profile = this.profiles.get(profileId);
    if (!profile) throw new Error(`Unknown profile ${profileId}`);
    return todayInTimezone(this.now(), profile.profile.timezone);
  }

  account(profileId: string): Account {
    const state = this.profiles.get(profileId);
    if (!state) throw new Error(`Unknown profile ${profileId}`);
    return {
      profileId,
      currencyCode: state.profile.currencyCode,
      campaigns: state.campaigns,
      identity: state.identity,
    };
  }

  /** The data a report would contain if generated now (current account size, restatement version, date). */
  planFor(profileId: string, startDate: string, endDate: string, shape: ReportShape): ReportPlan {
    const startDay = parseIsoDay(startDate);
    const endDay = parseIsoDay(endDate);
    if (startDay === null || endDay === null) throw new Error(`Dates must be YYYY-MM-DD: ${startDate}, ${endDate}`);
    return {
      account: this.account(profileId),
      startDay,
      endDay,
      lastDataDay: this.today(profileId),
      timeUnit: shape.timeUnit,
      groupBy: shape.groupBy,
      filters: shape.filters,
      columns: shape.columns,
      restatementVersion: this.scenario.restatementVersion,
    };
  }

  reportSummaries(): ReportSummary[] {
    return [...this.reports.values()].map((report) => ({
      reportId: report.reportId,
      status: report.status,
      startDate: report.startDate,
      endDate: report.endDate,
      profileId: report.profileId,
      polls: report.polls,
      deleted: report.deleted,
    }));
  }
}
