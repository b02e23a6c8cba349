import { env } from "../../env";
import type { AdsRegion } from "../../settings/schema";

// Amazon's regional hosts (Amazon Ads docs, reference/api-overview). Tokens from any LwA host work in every region.
const API_HOSTS: Record<AdsRegion, string> = {
  NA: "https://advertising-api.amazon.com",
  EU: "https://advertising-api-eu.amazon.com",
  FE: "https://advertising-api-fe.amazon.com",
};
const TOKEN_URLS: Record<AdsRegion, string> = {
  NA: "https://api.amazon.com/auth/o2/token",
  EU: "https://api.amazon.co.uk/auth/o2/token",
  FE: "https://api.amazon.co.jp/auth/o2/token",
};

// Where an advertiser grants our app access (Amazon Ads docs, "Create an authorization grant").
const AUTH_URLS: Record<AdsRegion, string> = {
  NA: "https://www.amazon.com/ap/oa",
  EU: "https://eu.account.amazon.com/ap/oa",
  FE: "https://apac.account.amazon.com/ap/oa",
};

/** The region's Ads API base URL; AMAZON_ADS_API_URL_<REGION> or AMAZON_ADS_API_URL override it (simulator, tests). */
export function adsApiBaseUrl(region: AdsRegion): string {
  const e = env();
  return (e[`AMAZON_ADS_API_URL_${region}`] ?? e.AMAZON_ADS_API_URL ?? API_HOSTS[region]).replace(/\/+$/, "");
}

export function adsTokenUrl(region: AdsRegion): string {
  return env().AMAZON_ADS_TOKEN_URL ?? TOKEN_URLS[region];
}

/** The region's LwA consent page; AMAZON_ADS_AUTH_URL_<REGION> or AMAZON_ADS_AUTH_URL override it (simulator, tests). */
export function adsAuthorizeUrl(region: AdsRegion): string {
  const e = env();
  return e[`AMAZON_ADS_AUTH_URL_${region}`] ?? e.AMAZON_ADS_AUTH_URL ?? AUTH_URLS[region];
}
