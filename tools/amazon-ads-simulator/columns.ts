// Columns Amazon offers for reportTypeId spCampaigns, per groupBy (Amazon Ads docs, guides/reporting/v3/report-types/campaign;
// and the 400 messages that list the allowed values). The allowed set of a request is the base metrics plus the additions of each groupBy it names.

export const GROUP_BYS = ["campaign", "adGroup", "campaignPlacement"] as const;
export type GroupBy = (typeof GROUP_BYS)[number];

export const BASE_COLUMNS: readonly string[] = [
  "impressions",
  "addToList",
  "qualifiedBorrows",
  "royaltyQualifiedBorrows",
  "clicks",
  "cost",
  "purchases1d",
  "purchases7d",
  "purchases14d",
  "purchases30d",
  "purchasesSameSku1d",
  "purchasesSameSku7d",
  "purchasesSameSku14d",
  "purchasesSameSku30d",
  "unitsSoldClicks1d",
  "unitsSoldClicks7d",
  "unitsSoldClicks14d",
  "unitsSoldClicks30d",
  "sales1d",
  "sales7d",
  "sales14d",
  "sales30d",
  "attributedSalesSameSku1d",
  "attributedSalesSameSku7d",
  "attributedSalesSameSku14d",
  "attributedSalesSameSku30d",
  "unitsSoldSameSku1d",
  "unitsSoldSameSku7d",
  "unitsSoldSameSku14d",
  "unitsSoldSameSku30d",
  "kindleEditionNormalizedPagesRead14d",
  "kindleEditionNormalizedPagesRoyalties14d",
  "date",
  "startDate",
  "endDate",
  "campaignBiddingStrategy",
  "costPerClick",
  "clickThroughRate",
  "spend",
];

const CAMPAIGN_COLUMNS: readonly string[] = [
  "campaignName",
  "campaignId",
  "campaignStatus",
  "campaignBudgetAmount",
  "campaignBudgetType",
  "campaignRuleBasedBudgetAmount",
  "campaignApplicableBudgetRuleId",
  "campaignApplicableBudgetRuleName",
  "campaignBudgetCurrencyCode",
  "topOfSearchImpressionShare",
];

export const GROUP_BY_COLUMNS: Readonly<Record<GroupBy, readonly string[]>> = {
  campaign: CAMPAIGN_COLUMNS,
  adGroup: ["adGroupName", "adGroupId", "adStatus"],
  campaignPlacement: ["placementClassification", ...CAMPAIGN_COLUMNS],
};

export interface FilterRule {
  field: string;
  values: readonly string[];
}

export const GROUP_BY_FILTERS: Readonly<Record<GroupBy, FilterRule>> = {
  campaign: { field: "campaignStatus", values: ["ENABLED", "PAUSED", "ARCHIVED"] },
  adGroup: { field: "adStatus", values: ["ENABLED", "PAUSED", "ARCHIVED"] },
  campaignPlacement: { field: "campaignSite", values: ["AmazonBusiness"] },
};

export function isGroupBy(value: string): value is GroupBy {
  return (GROUP_BYS as readonly string[]).includes(value);
}

/** Allowed columns for a groupBy combination, base metrics first, without duplicates. */
export function allowedColumns(groupBys: readonly GroupBy[]): string[] {
  const allowed = new Set<string>(BASE_COLUMNS);
  for (const groupBy of groupBys) {
    for (const column of GROUP_BY_COLUMNS[groupBy]) allowed.add(column);
  }
  return [...allowed];
}
