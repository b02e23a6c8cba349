import { z } from "zod";
import { exchangeRefreshToken, type AccessToken } from "../../amazon/lwa";
import { env } from "../../env";
import { registerSecret } from "../../log";
import type { AmazonAdsSettings } from "../../settings/schema";
import { amazonHttpError } from "../../amazon/error-body";
import { AmazonError, networkFailure } from "../../amazon/errors";
import { adsApiBaseUrl, adsTokenUrl } from "./hosts";
import { DEFAULT_RETRY, withRetry, type RetryPolicy } from "../../amazon/retry";

export const CREATE_REPORT_CONTENT_TYPE = "application/vnd.createasyncreportrequest.v3+json";

/** Amazon's AsyncReport (OfflineReport spec); unknown fields pass through untouched. */
export const asyncReportSchema = z.looseObject({
  reportId: z.string().min(1),
  status: z.string(),
  name: z.string().nullish(),
  startDate: z.string().optional(),
  endDate: z.string().optional(),
  url: z.string().nullish(),
  urlExpiresAt: z.string().nullish(),
  fileSize: z.number().nullish(),
  failureReason: z.string().nullish(),
  configuration: z.unknown().optional(),
});
export type AsyncReport = z.infer<typeof asyncReportSchema>;

export const profileSchema = z.looseObject({
  profileId: z.union([z.number(), z.string()]),
  countryCode: z.string().optional(),
  currencyCode: z.string().optional(),
  timezone: z.string().optional(),
  accountInfo: z
    .looseObject({
      name: z.string().optional(),
      type: z.string().optional(),
      marketplaceStringId: z.string().optional(),
    })
    .optional(),
});
export type AdsProfile = z.infer<typeof profileSchema> & { profileIdText: string };

export interface AdsClientOptions {
  retry?: Partial<RetryPolicy>;
  timeoutMs?: number;
  onRetry?: (operation: string, attempt: number, error: unknown, delayMs: number) => void;
}

// Refresh a little before Amazon's expiry so a token never dies mid-request.
const TOKEN_REFRESH_MARGIN_MS = 5 * 60_000;

/**
 * One org's Ads API session: the access token is fetched once and reused for the run (refreshed
 * when near expiry or on a 401); every call carries the three headers, a timeout and the retry policy.
 */
export class AdsClient {
  private token: AccessToken | null = null;
  private tokenRequest: Promise<AccessToken> | null = null;
  readonly retry: RetryPolicy;
  /** How many HTTP calls went to Amazon (token + API), for summaries and the benchmark. */
  callCount = 0;

  constructor(
    readonly settings: AmazonAdsSettings,
    private readonly options: AdsClientOptions = {},
  ) {
    this.retry = { ...DEFAULT_RETRY, ...options.retry };
    registerSecret(settings.client_secret);
    registerSecret(settings.refresh_token);
  }

  private get timeoutMs() {
    return this.options.timeoutMs ?? env().AMAZON_HTTP_TIMEOUT_MS;
  }

  async accessToken(forceRefresh = false): Promise<string> {
    if (!forceRefresh && this.token && this.token.expiresAt - Date.now() > TOKEN_REFRESH_MARGIN_MS)
      return this.token.accessToken;
    // Concurrent callers (the five parallel creates) share one token request.
    this.tokenRequest ??= withRetry(() => {
      this.callCount++;
      return exchangeRefreshToken(adsTokenUrl(this.settings.region), this.settings, { timeoutMs: this.timeoutMs });
    }, this.retry).finally(() => {
      this.tokenRequest = null;
    });
    this.token = await this.tokenRequest;
    registerSecret(this.token.accessToken);
    return this.token.accessToken;
  }

  private async send(
    operation: string,
    method: string,
    path: string,
    init: { body?: string; contentType?: string; scope: boolean },
  ): Promise<{ status: number; text: string }> {
    let refreshed = false;
    for (;;) {
      const token = await this.accessToken();
      const headers: Record<string, string> = {
        authorization: `Bearer ${token}`,
        "amazon-advertising-api-clientid": this.settings.client_id,
        accept: "application/json",
      };
      if (init.scope) headers["amazon-advertising-api-scope"] = this.settings.profile_id;
      if (init.contentType) headers["content-type"] = init.contentType;
      let response: Response;
      this.callCount++;
      try {
        response = await fetch(`${adsApiBaseUrl(this.settings.region)}${path}`, {
          method,
          headers,
          body: init.body,
          signal: AbortSignal.timeout(this.timeoutMs),
        });
      } catch (error) {
        const failure = networkFailure(error);
        const why =
          failure.reason === "timeout"
            ? `no answer within ${Math.round(this.timeoutMs / 1000)} s`
            : `network error (${failure.text})`;
        throw new AmazonError("network", `${operation}: ${why}`, { reason: failure.reason });
      }
      const text = await response.text();
      if (response.status === 401 && !refreshed) {
        // The token may have been revoked or expired early: one fresh token, then give up.
        refreshed = true;
        await this.accessToken(true);
        continue;
      }
      if (!response.ok) {
        throw amazonHttpError(operation, response.status, text, response.headers.get("retry-after"));
      }
      return { status: response.status, text };
    }
  }

  async callText(
    operation: string,
    method: string,
    path: string,
    init: { body?: unknown; contentType?: string; scope?: boolean; retry?: Partial<RetryPolicy> } = {},
  ): Promise<string> {
    const body = init.body === undefined ? undefined : JSON.stringify(init.body);
    const { text } = await withRetry(
      () => this.send(operation, method, path, { body, contentType: init.contentType, scope: init.scope ?? true }),
      { ...this.retry, ...init.retry },
      (attempt, error, delay) => this.options.onRetry?.(operation, attempt, error, delay),
    );
    return text;
  }

  async call<T>(
    operation: string,
    method: string,
    path: string,
    schema: z.ZodType<T>,
    init: Parameters<AdsClient["callText"]>[3] = {},
    prepare: (text: string) => string = (t) => t,
  ): Promise<T> {
    const text = await this.callText(operation, method, path, init);
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

  /** GET /v2/profiles: no Scope header (Amazon lists the login's profiles of this region only). */
  async listProfiles(): Promise<AdsProfile[]> {
    // profileId is a bare JSON number (int64): quote it before parsing so no digit is lost.
    const profiles = await this.call(
      "list profiles",
      "GET",
      "/v2/profiles",
      z.array(profileSchema),
      { scope: false },
      (text) => text.replace(/("profileId"\s*:\s*)(-?\d+)/g, '$1"$2"'),
    );
    return profiles.map((p) => ({ ...p, profileIdText: String(p.profileId) }));
  }

  createReport(body: unknown): Promise<AsyncReport> {
    return this.call("create report", "POST", "/reporting/reports", asyncReportSchema, {
      body,
      contentType: CREATE_REPORT_CONTENT_TYPE,
    });
  }

  getReport(reportId: string): Promise<AsyncReport> {
    return this.call(
      "get report status",
      "GET",
      `/reporting/reports/${encodeURIComponent(reportId)}`,
      asyncReportSchema,
    );
  }

  async deleteReport(reportId: string): Promise<void> {
    await this.call("cancel report", "DELETE", `/reporting/reports/${encodeURIComponent(reportId)}`, z.unknown(), {
      retry: { maxAttempts: 2 },
    });
  }
}
