import { env } from "../../env";
import type { AdsRegion } from "../../settings/schema";

// Amazon's regional hosts (facts note §1–2). Tokens from any LwA host work in every region.
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

/** The region's Ads API base URL; AMAZON_ADS_API_URL_<REGION> or AMAZON_ADS_API_URL override it (simulator, tests). */
export function adsApiBaseUrl(region: AdsRegion): string {
  const e = env();
  return (e[`AMAZON_ADS_API_URL_${region}`] ?? e.AMAZON_ADS_API_URL ?? API_HOSTS[region]).replace(/\/+$/, "");
}

export function adsTokenUrl(region: AdsRegion): string {
  return env().AMAZON_ADS_TOKEN_URL ?? TOKEN_URLS[region];
}
