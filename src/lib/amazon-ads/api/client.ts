import { z } from "zod";
import { exchangeRefreshToken, type AccessToken } from "../../amazon/lwa";
import { env } from "../../env";
import { MissingCredentialsError } from "../../errors";
import { registerSecret } from "../../log";
import type { AdsRegion, AmazonAdsSettings } from "../../settings/schema";
import { amazonHttpError } from "../../amazon/error-body";
import { AmazonError, isAmazonError, networkFailure } from "../../amazon/errors";
import { adsApiBaseUrl, adsTokenUrl } from "./hosts";
import { DEFAULT_RETRY, withRetry, type RetryPolicy } from "../../amazon/retry";
import { loginKeyOf, type SharedTokens } from "./shared-tokens";

/** Amazon's AsyncReport (OfflineReport spec): the fields read here; the others pass through untouched. */
export const asyncReportSchema = z.looseObject({
  reportId: z.string().min(1),
  status: z.string(),
  startDate: z.string().optional(),
  endDate: z.string().optional(),
  url: z.string().nullish(),
  failureReason: z.string().nullish(),
  createdAt: z.string().nullish(),
  generatedAt: z.string().nullish(),
  configuration: z.unknown().optional(),
});
export type AsyncReport = z.infer<typeof asyncReportSchema>;

export const profileSchema = z.looseObject({
  profileId: z.union([z.number(), z.string()]),
  countryCode: z.string().optional(),
  currencyCode: z.string().optional(),
  timezone: z.string().optional(),
  accountInfo: z.looseObject({ name: z.string().optional(), type: z.string().optional() }).optional(),
});
export type AdsProfile = z.infer<typeof profileSchema> & { profileIdText: string };

export interface AdsClientOptions {
  retry?: Partial<RetryPolicy>;
  /** Where the workers share a login's access token for its hour; without it (Test connection) it is exchanged. */
  sharedTokens?: SharedTokens;
  meter?: CallMeter;
}

/** One unit's traffic with Amazon: what its client id's adaptive limit (queue/client-limits.ts) learns from. */
export interface CallMeter {
  /** HTTP calls (token + Ads API); Ads API answers 2xx; Ads API answers 429, retried or not. */
  calls: number;
  succeeded: number;
  answered429: number;
  /** When the earliest call answered 429 was sent (epoch ms): a cut after it already answered it. */
  first429SentAt: number | null;
  /** Calls still answered 429 after their retries. */
  gaveUp429: number;
  /** The longest Retry-After among the 429s. */
  retryAfterMs: number | null;
}

export const newCallMeter = (): CallMeter => {
  return { calls: 0, succeeded: 0, answered429: 0, first429SentAt: null, gaveUp429: 0, retryAfterMs: null };
};

// Refresh a little before Amazon's expiry so a token never dies mid-request.
const TOKEN_REFRESH_MARGIN_MS = 5 * 60_000;

/** Shared by every AdsClient of one login: its token, the token request under way. */
type LoginState = { token: AccessToken | null; tokenRequest: Promise<AccessToken> | null };

/**
 * An Ads API session for one profile of one login: one access token for the run (refreshed near expiry or
 * on a 401), shared with the login's other profiles (`forProfile`); every call has its headers, timeout, retries.
 */
export class AdsClient {
  readonly retry: RetryPolicy;
  /** The unit's meter; without one, a meter nobody reads. */
  private readonly meter: CallMeter;

  constructor(
    readonly settings: AmazonAdsSettings,
    private readonly options: AdsClientOptions = {},
    private readonly login: LoginState = { token: null, tokenRequest: null },
  ) {
    if (!settings.client_id) throw new MissingCredentialsError("No Login with Amazon app (client ID) to sign in with");
    this.retry = { ...DEFAULT_RETRY, ...options.retry };
    this.meter = options.meter ?? newCallMeter();
    registerSecret(settings.client_secret);
    registerSecret(settings.refresh_token);
  }

  /** Another profile of the same login: same token, that profile's scope and host. */
  forProfile(profileId: string, region: AdsRegion): AdsClient {
    return new AdsClient({ ...this.settings, profile_id: profileId, region }, this.options, this.login);
  }

  /** Another retry policy (a worker bounds each unit's retries by its deadline). */
  withRetryPolicy(retry: Partial<RetryPolicy>): AdsClient {
    return new AdsClient(this.settings, { ...this.options, retry: { ...this.retry, ...retry } }, this.login);
  }

  /** Its traffic counted on `meter` (one unit's). */
  withMeter(meter: CallMeter): AdsClient {
    return new AdsClient(this.settings, { ...this.options, meter }, this.login);
  }

  /** The login's access token; `refused`: Amazon answered 401 to it (unless another call already replaced it). */
  async accessToken(refused?: string): Promise<string> {
    const login = this.login;
    const current = login.token && login.token.expiresAt - Date.now() > TOKEN_REFRESH_MARGIN_MS ? login.token : null;
    if (current && current.accessToken !== refused) return current.accessToken;
    // Concurrent callers (the parallel creates, the profiles of the login) share one token request.
    login.tokenRequest ??= this.newToken(refused ?? null).finally(() => {
      login.tokenRequest = null;
    });
    login.token = await login.tokenRequest;
    registerSecret(login.token.accessToken);
    return login.token.accessToken;
  }

  /** A token from the shared store (or another invocation's refresh), else exchanged; `refused` is dropped first. */
  private async newToken(refused: string | null): Promise<AccessToken> {
    const exchange = () =>
      withRetry(() => {
        this.meter.calls++;
        return exchangeRefreshToken(adsTokenUrl(this.settings.region), this.settings);
      }, this.retry);
    const shared = this.options.sharedTokens;
    if (!shared) return exchange();
    const key = loginKeyOf(this.settings.client_id, this.settings.refresh_token);
    if (refused) await shared.drop(key, refused);
    return shared.obtain(key, TOKEN_REFRESH_MARGIN_MS, exchange);
  }

  private async send(
    operation: string,
    method: string,
    path: string,
    init: { body?: string; contentType?: string; scope?: boolean },
  ): Promise<string> {
    const timeoutMs = env().AMAZON_HTTP_TIMEOUT_MS;
    let refreshed = false;
    for (;;) {
      const token = await this.accessToken();
      const headers: Record<string, string> = {
        authorization: `Bearer ${token}`,
        "amazon-advertising-api-clientid": this.settings.client_id,
        accept: "application/json",
      };
      if (init.scope ?? true) headers["amazon-advertising-api-scope"] = this.settings.profile_id;
      if (init.contentType) headers["content-type"] = init.contentType;
      let response: Response;
      this.meter.calls++;
      const sentAt = Date.now();
      const url = `${adsApiBaseUrl(this.settings.region)}${path}`;
      try {
        response = await fetch(url, { method, headers, body: init.body, signal: AbortSignal.timeout(timeoutMs) });
      } catch (error) {
        const { reason, text, transient } = networkFailure(error, url);
        const why = !transient
          ? text
          : reason === "timeout"
            ? `no answer within ${Math.round(timeoutMs / 1000)} s`
            : `network error (${text})`;
        throw new AmazonError("network", `${operation}: ${why}`, { reason, transient });
      }
      const text = await response.text();
      if (response.status === 401 && !refreshed) {
        // The token may have been revoked or expired early: one fresh token, then give up.
        refreshed = true;
        await this.accessToken(token);
        continue;
      }
      if (!response.ok) {
        const error = amazonHttpError(operation, response.status, text, response.headers.get("retry-after"));
        if (response.status === 429) {
          const meter = this.meter;
          meter.answered429++;
          meter.first429SentAt = Math.min(meter.first429SentAt ?? sentAt, sentAt);
          if (error.retryAfterMs !== undefined)
            meter.retryAfterMs = Math.max(meter.retryAfterMs ?? 0, error.retryAfterMs);
        }
        throw error;
      }
      this.meter.succeeded++;
      return text;
    }
  }

  /** One call with its retries, its answer parsed as JSON (after `prepare`) and checked by `schema`. */
  private async call<T>(
    operation: string,
    method: string,
    path: string,
    schema: z.ZodType<T>,
    init: { body?: string; contentType?: string; scope?: boolean; retry?: Partial<RetryPolicy> } = {},
    prepare: (text: string) => string = (t) => t,
  ): Promise<T> {
    let text: string;
    try {
      text = await withRetry(() => this.send(operation, method, path, init), { ...this.retry, ...init.retry });
    } catch (error) {
      // A 429 that outlasted the retries asks the whole client id to slow down.
      if (isAmazonError(error, "throttled")) this.meter.gaveUp429++;
      throw error;
    }
    let json: unknown;
    try {
      json = JSON.parse(prepare(text));
    } catch {
      throw new AmazonError("bad_response", `${operation}: the response was not JSON`);
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new AmazonError(
        "bad_response",
        `${operation}: unexpected response shape (${issue?.path.join(".")}: ${issue?.message})`,
      );
    }
    return parsed.data;
  }

  /** GET /v2/profiles (no Scope header; this region's only); `reportAccess`: those whose reports it may read. */
  async listProfiles(options: { reportAccess?: boolean } = {}): Promise<AdsProfile[]> {
    const query = options.reportAccess ? "?apiProgram=report&accessLevel=view" : "";
    // profileId is a bare JSON number (int64): quote it before parsing so no digit is lost.
    const profiles = await this.call(
      `list profiles (${this.settings.region})`,
      "GET",
      `/v2/profiles${query}`,
      z.array(profileSchema),
      { scope: false },
      (text) => text.replace(/("profileId"\s*:\s*)(-?\d+)/g, '$1"$2"'),
    );
    return profiles.map((p) => ({ ...p, profileIdText: String(p.profileId) }));
  }

  createReport(body: unknown): Promise<AsyncReport> {
    return this.call("create report", "POST", "/reporting/reports", asyncReportSchema, {
      body: JSON.stringify(body),
      contentType: "application/vnd.createasyncreportrequest.v3+json",
    });
  }

  getReport(reportId: string): Promise<AsyncReport> {
    const path = `/reporting/reports/${encodeURIComponent(reportId)}`;
    return this.call("get report status", "GET", path, asyncReportSchema);
  }

  async deleteReport(reportId: string): Promise<void> {
    await this.call("cancel report", "DELETE", `/reporting/reports/${encodeURIComponent(reportId)}`, z.unknown(), {
      retry: { maxAttempts: 2 },
    });
  }
}
