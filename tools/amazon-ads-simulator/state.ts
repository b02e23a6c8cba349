import { randomBytes } from "node:crypto";
import type { GroupBy } from "./columns";
import { allocateIdentities, type Account, type AccountIdentity, type ReportPlan } from "./data";
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

export class SimulatorState {
  readonly now: () => Date;
  readonly clients: Map<string, SimClient>;
  readonly profiles: Map<string, ProfileState>;
  readonly tokens = new Map<string, IssuedToken>();
  readonly reports = new Map<string, ReportRecord>();
  readonly requests: RecordedRequest[] = [];
  /** Key for the fake S3 presigned-URL signatures. */
  readonly signingKey = randomBytes(32);
  readonly closing = new AbortController();
  scenario: Scenario;
  baseUrl = "";
  private readonly initialScenario: Scenario;
  private readonly initialCampaigns: Map<string, number>;

  constructor(options: SimulatorOptions) {
    this.now = options.now ?? (() => new Date());
    const profiles = (options.profiles ?? SIM_DEFAULT_PROFILES).map((profile) => structuredClone(profile));
    for (const profile of profiles) {
      if (!/^\d+$/.test(profile.profileId)) throw new Error(`profileId must be digits: ${profile.profileId}`);
    }
    const identities = allocateIdentities(profiles.map((profile) => profile.profileId));
    this.profiles = new Map(
      profiles.map((profile) => [
        profile.profileId,
        {
          profile,
          campaigns: validCampaignCount(profile.campaigns ?? DEFAULT_CAMPAIGNS_PER_PROFILE),
          identity: identities.get(profile.profileId)!,
        },
      ]),
    );
    this.initialCampaigns = new Map([...this.profiles].map(([id, state]) => [id, state.campaigns]));
    // Custom profiles without custom clients: the default client may use all of them.
    const clients: SimClient[] =
      options.clients?.map((client) => structuredClone(client)) ??
      (options.profiles
        ? [{ ...structuredClone(SIM_DEFAULT_CLIENTS[0]!), profileIds: profiles.map((profile) => profile.profileId) }]
        : SIM_DEFAULT_CLIENTS.map((client) => structuredClone(client)));
    this.clients = new Map(clients.map((client) => [client.clientId, client]));
    this.initialScenario = mergeScenario(defaultScenario(), options.scenario ?? {});
    this.scenario = cloneScenario(this.initialScenario);
  }

  setScenario(patch: Partial<Scenario>): void {
    this.scenario = mergeScenario(this.scenario, patch);
  }

  /** Back to the starting state: scenario as given at start, request log empty, no reports, original account sizes. */
  reset(): void {
    this.scenario = cloneScenario(this.initialScenario);
    this.requests.length = 0;
    this.reports.clear();
    for (const [profileId, campaigns] of this.initialCampaigns) {
      const profile = this.profiles.get(profileId);
      if (profile) profile.campaigns = campaigns;
    }
  }

  setProfileCampaigns(profileId: string, campaigns: number): void {
    const profile = this.profiles.get(profileId);
    if (!profile) throw new Error(`Unknown profile ${profileId}`);
    profile.campaigns = validCampaignCount(campaigns);
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
