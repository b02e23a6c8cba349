/**
 * The one catalogue of spCampaigns columns: Amazon's API name → our DB column → SQL type → whether
 * we request it. It drives the report request body, the row mapping and the upsert; a test holds
 * it against schema.ts. Spec columns Amazon does not offer for spCampaigns / groupBy campaign /
 * DAILY keep their column (always NULL) with the reason here and in docs/spec-differences.md.
 */

export type SqlType = "date" | "bigint" | "numeric" | "text";

export interface ColumnSpec {
  api: string;
  db: string;
  type: SqlType;
  /** Requested from Amazon; false = kept in the table for the spec, but Amazon does not offer it. */
  requested: boolean;
  /** One of the columns the feature was specified with (the others are additions Amazon offers). */
  inSpec: boolean;
  whyNotRequested?: string;
}

/** camelCase → snake_case with digits split off: sales14d → sales_14d, campaignId → campaign_id. */
export function toSnakeCase(api: string): string {
  return api
    .replace(/([a-z])([A-Z])/g, "$1_$2")
    .replace(/([A-Za-z])(\d)/g, "$1_$2")
    .toLowerCase();
}

const NOT_IN_SP_CAMPAIGNS =
  "not offered for spCampaigns (Amazon lists it only for other report types); requesting it makes Amazon reject the whole report with HTTP 400";
const ONLY_IN = (reports: string) => `${NOT_IN_SP_CAMPAIGNS} (${reports})`;
const TARGETING_ETC = ONLY_IN("spTargeting, spSearchTerm, spAdvertisedProduct");
const NOT_SP = ONLY_IN("Sponsored Brands/Display/TV and DSP only");
const DAILY_CONFLICT =
  'rejected by Amazon together with timeUnit DAILY ("use date instead"); the row\'s date is in `date`';
const DOES_NOT_EXIST =
  "not a reporting v3 column (named only in Amazon's v2→v3 migration guide); Amazon answers HTTP 400";

type Row = [api: string, type: SqlType, inSpec: boolean, whyNot?: string, db?: string];

const spec = (api: string, type: SqlType, whyNot?: string, db?: string): Row => [api, type, true, whyNot, db];
const extra = (api: string, type: SqlType): Row => [api, type, false];
const windows = ["1d", "7d", "14d", "30d"];

const rows: Row[] = [
  // Dimensions
  spec("date", "date"),
  spec("campaignId", "bigint"),
  spec("campaignName", "text"),
  spec("campaignStatus", "text"),
  spec("campaignBudgetAmount", "numeric"),
  spec("campaignBudgetType", "text"),
  spec("campaignBudgetCurrencyCode", "text"),
  spec("campaignRuleBasedBudgetAmount", "numeric"),
  spec("portfolioId", "bigint", ONLY_IN("spTargeting, spSearchTerm, spPurchasedProduct, spAdvertisedProduct")),
  spec("startDate", "date", DAILY_CONFLICT),
  spec("endDate", "date", DAILY_CONFLICT),
  // Metrics
  spec("impressions", "bigint"),
  spec("clicks", "bigint"),
  spec("cost", "numeric"),
  spec("costPerClick", "numeric"),
  spec("clickThroughRate", "numeric"),
  ...windows.map((w) => spec(`sales${w}`, "numeric")),
  ...windows.map((w) => spec(`purchases${w}`, "bigint")),
  ...windows.map((w) => spec(`unitsSoldClicks${w}`, "bigint")),
  ...windows.map((w) => spec(`purchaseClickRate${w}`, "numeric", DOES_NOT_EXIST)),
  spec("acosClicks7d", "numeric", TARGETING_ETC),
  spec("acosClicks14d", "numeric", TARGETING_ETC),
  spec("roasClicks7d", "numeric", TARGETING_ETC),
  spec("roasClicks14d", "numeric", TARGETING_ETC),
  spec("newToBrandPurchases14d", "bigint", ONLY_IN("sbPurchasedProduct")),
  spec("newToBrandSales14d", "numeric", ONLY_IN("sbPurchasedProduct")),
  spec("newToBrandUnitsSold14d", "bigint", ONLY_IN("sbPurchasedProduct")),
  spec("newToBrandPurchasesPercentage14d", "numeric", ONLY_IN("sbPurchasedProduct")),
  spec("newToBrandSalesPercentage14d", "numeric", ONLY_IN("sbPurchasedProduct")),
  spec("newToBrandUnitsSoldPercentage14d", "numeric", ONLY_IN("sbPurchasedProduct")),
  spec("addToCart", "bigint", NOT_SP),
  spec("addToCartRate", "numeric", NOT_SP),
  spec("eCPAddToCart", "numeric", NOT_SP, "ecp_add_to_cart"),
  spec("impressions1y", "bigint", DOES_NOT_EXIST),
  spec("clicks1y", "bigint", DOES_NOT_EXIST),
  spec("spend1y", "numeric", DOES_NOT_EXIST),
  spec("costPerClick1y", "numeric", DOES_NOT_EXIST),
  // Offered by Amazon for spCampaigns / groupBy campaign, not in the spec: requested because the
  // user's intent is "store everything the API returns".
  extra("spend", "numeric"),
  extra("topOfSearchImpressionShare", "numeric"),
  extra("campaignBiddingStrategy", "text"),
  extra("campaignApplicableBudgetRuleId", "text"),
  extra("campaignApplicableBudgetRuleName", "text"),
  ...windows.map((w) => extra(`purchasesSameSku${w}`, "bigint")),
  ...windows.map((w) => extra(`attributedSalesSameSku${w}`, "numeric")),
  ...windows.map((w) => extra(`unitsSoldSameSku${w}`, "bigint")),
  extra("addToList", "bigint"),
  extra("qualifiedBorrows", "bigint"),
  extra("royaltyQualifiedBorrows", "bigint"),
  extra("kindleEditionNormalizedPagesRead14d", "bigint"),
  extra("kindleEditionNormalizedPagesRoyalties14d", "numeric"),
];

export const COLUMNS: readonly ColumnSpec[] = rows.map(([api, type, inSpec, whyNot, db]) => ({
  api,
  db: db ?? toSnakeCase(api),
  type,
  inSpec,
  requested: whyNot === undefined,
  ...(whyNot ? { whyNotRequested: whyNot } : {}),
}));

export const REQUESTED_COLUMNS = COLUMNS.filter((c) => c.requested);
export const COLUMN_BY_API = new Map(COLUMNS.map((c) => [c.api, c]));

/**
 * The report's key columns: every row must have them, they are never dropped from a request, and
 * with org_id they are amazon_sp_ads' conflict key.
 */
export const KEY_COLUMNS: readonly ColumnSpec[] = ["date", "campaignId"].map((api) => COLUMN_BY_API.get(api)!);

/** Looks a column up by its API name; throws on a typo so a misspelt name fails at start-up, not silently. */
export function column(api: string): ColumnSpec {
  const spec = COLUMN_BY_API.get(api);
  if (!spec) throw new Error(`"${api}" is not in the spCampaigns column catalogue`);
  return spec;
}
