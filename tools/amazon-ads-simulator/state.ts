import { randomBytes } from "node:crypto";
import { setMaxListeners } from "node:events";
import { checkClientFaults, checkProfile, idSourceOf, setFaults, validCampaignCount } from "./account-checks";
import { IdentityAllocator, withCampaignIdsOf, type Account, type AccountIdentity, type ReportPlan } from "./data";
import { parseIsoDay, todayInTimezone } from "./dates";
import { DEFAULT_CAMPAIGNS_PER_PROFILE, SIM_DEFAULT_CLIENTS, SIM_DEFAULT_PROFILES } from "./defaults";
import type { ReportRecord, ReportShape } from "./report-record";
import { cloneScenario, defaultScenario, mergeScenario } from "./scenario";
import type {
  RecordedRequest,
  ReportSummary,
  Scenario,
  SimClient,
  SimClientFaults,
  SimProfile,
  SimulatorOptions,
} from "./types";

export type { ReportRecord, ReportShape };

export interface IssuedToken {
  clientId: string;
  /** The grant it was issued for: revoking that grant (scenario) ends the access token too. */
  refreshToken: string;
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

/**
 * An LwA app (client id and secret) and the Amazon users' grants to it (its logins, in the given order). A 429
 * storm is the app's: it throttles every login of the client id.
 */
export interface SimApp {
  clientId: string;
  clientSecret: string;
  /** The first is the login an authorization-code grant answers with and admin calls without a refreshToken act on. */
  logins: SimClient[];
  storm429?: { retryAfterSeconds?: number };
}

/** Scenario clientRateLimit: the tokens a client id has left, as of `updatedMs` (performance.now()). */
interface RateBucket {
  tokens: number;
  updatedMs: number;
}

interface ProfileState {
  profile: SimProfile;
  campaigns: number;
  identity: AccountIdentity;
  /** Position in `profiles` (Map order), kept when the profile is replaced: the order `/v2/profiles` lists in. */
  order: number;
}

export class SimulatorState {
  readonly now: () => Date;
  /** The LwA apps by client id. */
  readonly apps = new Map<string, SimApp>();
  /** Every app's logins by refresh token (unique across apps): an access token's access is its login's profiles. */
  readonly logins = new Map<string, SimClient>();
  /**
   * Every profile Amazon knows, including ones no login has access to any more (so `expectedRows` still
   * answers for a removed profile). Access is the logins' `profileIds`.
   */
  readonly profiles = new Map<string, ProfileState>();
  readonly tokens = new Map<string, IssuedToken>();
  /** Authorization codes from the consent page, removed when exchanged (single use). */
  readonly authCodes = new Map<string, IssuedCode>();
  readonly reports = new Map<string, ReportRecord>();
  /** Every report by its duplicate key, in creation order: a create looks for an in-flight twin here, not in all reports. */
  readonly reportsByKey = new Map<string, ReportRecord[]>();
  readonly requests: RecordedRequest[] = [];
  /** Key for the fake S3 presigned-URL signatures. */
  readonly signingKey = randomBytes(32);
  readonly closing = new AbortController();
  scenario: Scenario;
  baseUrl = "";
  /** Budget and use of report file bytes kept in memory (options.reportCacheBytes). */
  readonly reportCacheBytes: number;
  cachedReportBytes = 0;
  private readonly initialScenario: Scenario;
  private readonly initialProfiles: readonly SimProfile[];
  private readonly initialClients: readonly SimClient[];
  private readonly identities = new IdentityAllocator();
  /** Scenario clientRateLimit buckets by client id; a missing one is full. */
  private readonly rateBuckets = new Map<string, RateBucket>();
  private nextProfileOrder = 0;

  constructor(options: SimulatorOptions) {
    // One abort listener per request waiting out a latency: thousands at a time are expected, not a leak.
    setMaxListeners(0, this.closing.signal);
    this.now = options.now ?? (() => new Date());
    this.reportCacheBytes = options.reportCacheBytes ?? Number.POSITIVE_INFINITY;
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
    this.apps.clear();
    this.logins.clear();
    const pending = this.initialProfiles.map((profile) => structuredClone(profile));
    pending.forEach(checkProfile);
    // Own identities first, in the given order, so the default profiles keep the ids they always had.
    for (const profile of pending) this.identities.identityOf(profile.profileId);
    // A profile may take its campaign ids from one listed after it: add in passes until nothing moves.
    let waiting = pending;
    while (waiting.length > 0) {
      const blocked: SimProfile[] = [];
      for (const profile of waiting) {
        const source = idSourceOf(profile);
        if (source === undefined || this.profiles.has(source)) this.putProfile(profile);
        else blocked.push(profile);
      }
      if (blocked.length === waiting.length) {
        const names = blocked.map((profile) => `${profile.profileId} <- ${profile.campaignIdsFrom}`).join(", ");
        throw new Error(`campaignIdsFrom names an unknown profile or makes a cycle: ${names}`);
      }
      waiting = blocked;
    }
    // Back into the given order: /v2/profiles lists them in map order.
    const added = new Map(this.profiles);
    this.profiles.clear();
    for (const { profileId } of this.initialProfiles) {
      if (this.profiles.has(profileId)) continue;
      const entry = added.get(profileId)!;
      entry.order = this.profiles.size;
      this.profiles.set(profileId, entry);
    }
    this.nextProfileOrder = this.profiles.size;
    for (const client of this.initialClients) {
      const copy = structuredClone(client);
      for (const profileId of copy.profileIds) {
        if (!this.profiles.has(profileId)) throw new Error(`Client ${copy.clientId} has unknown profile ${profileId}`);
      }
      checkClientFaults(copy.clientId, copy);
      if (this.logins.has(copy.refreshToken)) {
        throw new Error(`Refresh token ${copy.refreshToken} is given to more than one login`);
      }
      let app = this.apps.get(copy.clientId);
      if (!app) {
        app = { clientId: copy.clientId, clientSecret: copy.clientSecret, logins: [] };
        this.apps.set(copy.clientId, app);
      } else if (app.clientSecret !== copy.clientSecret) {
        throw new Error(`Client ${copy.clientId} is given with different client secrets (one app has one secret)`);
      }
      // A storm is the app's: the first login given one sets it for all of them.
      if (copy.storm429 && !app.storm429) app.storm429 = { ...copy.storm429 };
      delete copy.storm429;
      app.logins.push(copy);
      this.logins.set(copy.refreshToken, copy);
    }
  }

  /** The login of `refreshToken` (which must be one of this client id's), else the client id's first login. */
  login(clientId: string, refreshToken?: string): SimClient {
    const app = this.apps.get(clientId);
    if (!app) throw new Error(`Unknown client ${clientId}`);
    if (refreshToken === undefined) return app.logins[0]!;
    const login = this.logins.get(refreshToken);
    if (!login || login.clientId !== clientId) throw new Error(`Client ${clientId} has no login ${refreshToken}`);
    return login;
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
      order: this.profiles.get(profile.profileId)?.order ?? this.nextProfileOrder++,
    });
  }

  setScenario(patch: Partial<Scenario>): void {
    this.scenario = mergeScenario(this.scenario, patch);
    // A new (or no) rate limit starts every client id with a full bucket.
    if (patch.clientRateLimit !== undefined) this.rateBuckets.clear();
  }

  /**
   * Back to the starting state: scenario as given at start, request log empty, no reports, the starting profiles
   * (original account sizes, added ones gone, removed ones back) and client access.
   */
  reset(): void {
    this.scenario = cloneScenario(this.initialScenario);
    this.requests.length = 0;
    this.reports.clear();
    this.reportsByKey.clear();
    this.cachedReportBytes = 0;
    this.authCodes.clear();
    this.rateBuckets.clear();
    this.loadAccounts();
  }

  setProfileCampaigns(profileId: string, campaigns: number): void {
    const profile = this.profiles.get(profileId);
    if (!profile) throw new Error(`Unknown profile ${profileId}`);
    profile.campaigns = validCampaignCount(campaigns);
  }

  /**
   * The profile appears at Amazon for this login (`refreshToken`'s, else the client id's first): a new one, or
   * a known one whose details these replace (a profile is one entity at Amazon, whichever logins see it).
   * Campaign count is the given one, else the current one, else the default.
   */
  addProfile(clientId: string, input: SimProfile, refreshToken?: string): void {
    const client = this.login(clientId, refreshToken);
    const profile = structuredClone(input);
    checkProfile(profile);
    profile.campaigns ??= this.profiles.get(profile.profileId)?.campaigns;
    this.putProfile(profile);
    if (!client.profileIds.includes(profile.profileId)) client.profileIds.push(profile.profileId);
  }

  /** The login loses the profile; the profile's data and reports stay (another login may still see it). */
  removeProfile(clientId: string, profileId: string, refreshToken?: string): void {
    const client = this.login(clientId, refreshToken);
    const index = client.profileIds.indexOf(profileId);
    if (index < 0) throw new Error(`Client ${clientId} has no profile ${profileId}`);
    client.profileIds.splice(index, 1);
  }

  /** Replaces the app's fault settings (`storm429`), for every login of the client id. */
  setClientFaults(clientId: string, faults: SimClientFaults): void {
    const app = this.apps.get(clientId);
    if (!app) throw new Error(`Unknown client ${clientId}`);
    setFaults(app, faults);
  }

  /**
   * Takes one token from the client id's bucket under the scenario's clientRateLimit: true if the call may go
   * on (always, without a limit), false if the bucket is empty. Refills on the real clock.
   */
  takeRateToken(clientId: string): boolean {
    const limit = this.scenario.clientRateLimit;
    if (!limit) return true;
    const nowMs = performance.now();
    const bucket = this.rateBuckets.get(clientId) ?? { tokens: limit.burst, updatedMs: nowMs };
    bucket.tokens = Math.min(limit.burst, bucket.tokens + ((nowMs - bucket.updatedMs) / 1000) * limit.perSecond);
    bucket.updatedMs = nowMs;
    this.rateBuckets.set(clientId, bucket);
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }

  /** Registers a new report (and indexes it for duplicate detection). */
  addReport(report: ReportRecord): void {
    this.reports.set(report.reportId, report);
    const twins = this.reportsByKey.get(report.duplicateKey);
    if (twins) twins.push(report);
    else this.reportsByKey.set(report.duplicateKey, [report]);
  }

  /** The login's profiles (any region), each once, in the order Amazon lists them; O(the login's profiles). */
  profilesOf(refreshToken: string): SimProfile[] {
    const client = this.logins.get(refreshToken);
    if (!client) return [];
    const entries: ProfileState[] = [];
    for (const profileId of new Set(client.profileIds)) {
      const entry = this.profiles.get(profileId);
      if (entry) entries.push(entry);
    }
    return entries.sort((a, b) => a.order - b.order).map((entry) => entry.profile);
  }

  /** Whether the login (by its refresh token) has access to the profile. */
  loginCanUse(refreshToken: string, profileId: string): boolean {
    return this.logins.get(refreshToken)?.profileIds.includes(profileId) ?? false;
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
      withdrawnCampaignIds: new Set(this.scenario.withdrawnCampaignIds),
      nullColumns: {
        dates: new Set(this.scenario.nullColumns.dates),
        columns: new Set(this.scenario.nullColumns.columns),
      },
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
