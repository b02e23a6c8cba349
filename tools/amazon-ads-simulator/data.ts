import type { GroupBy } from "./columns";
import { dayToIso } from "./dates";
import { hash2, hash4, hashString, Rng } from "./random";
import type { ExpectedRow, ReportFilter, TimeUnit } from "./types";

// Deterministic report rows. Every value derives from (profile, campaign index, ad group / placement, date,
// restatement version) through integer hashing, so a report, `expectedRows` and a later re-pull agree exactly.

/** Stable per-profile identity: the seed and the block its campaign ids are drawn from. */
export interface AccountIdentity {
  profileSeed: number;
  /** Index of this profile's 10^9-wide block of 15-digit ids (ad group ids, and campaign ids unless shared). */
  idBlock: number;
  /** Campaign index 0's id: above 2^53 and odd, so no IEEE double can hold it exactly. */
  topCampaignId: string;
  /**
   * Where the campaign ids come from: this profile's own seed and block, or those of the profile named by
   * `campaignIdsFrom`, so two profiles can carry equal campaign ids while everything else differs.
   */
  campaignIds: { seed: number; idBlock: number };
}

export interface Account {
  profileId: string;
  currencyCode: string;
  campaigns: number;
  identity: AccountIdentity;
}

const ID_BLOCKS = 899_999;
const TWO_POW_51 = 2n ** 51n;
const FIRST_ID_ABOVE_2_POW_53 = 2n ** 53n + 1n;

/**
 * Gives every profile a distinct id block and a distinct >2^53 campaign id (probing on the rare hash collision).
 * A profile asked for again (removed and added back at runtime, or after a reset) gets the identity it had, so
 * its data does not change under a test's feet.
 */
export class IdentityAllocator {
  private readonly usedBlocks = new Set<number>();
  private readonly usedTopIds = new Set<bigint>();
  private readonly identities = new Map<string, AccountIdentity>();

  /** The profile's own identity (campaign ids not shared). */
  identityOf(profileId: string): AccountIdentity {
    const known = this.identities.get(profileId);
    if (known) return known;
    const profileSeed = hashString(profileId);
    let idBlock = profileSeed % ID_BLOCKS;
    while (this.usedBlocks.has(idBlock)) idBlock = (idBlock + 1) % ID_BLOCKS;
    this.usedBlocks.add(idBlock);
    let topId = FIRST_ID_ABOVE_2_POW_53 + 2n * (BigInt(profileId) % TWO_POW_51);
    while (this.usedTopIds.has(topId)) topId += 2n;
    this.usedTopIds.add(topId);
    const identity: AccountIdentity = {
      profileSeed,
      idBlock,
      topCampaignId: topId.toString(),
      campaignIds: { seed: profileSeed, idBlock },
    };
    this.identities.set(profileId, identity);
    return identity;
  }
}

/** `own` with the campaign ids of `source` (its own block stays for the ad group ids). */
export function withCampaignIdsOf(own: AccountIdentity, source: AccountIdentity): AccountIdentity {
  return { ...own, topCampaignId: source.topCampaignId, campaignIds: { ...source.campaignIds } };
}

export function allocateIdentities(profileIds: readonly string[]): Map<string, AccountIdentity> {
  const allocator = new IdentityAllocator();
  return new Map(profileIds.map((profileId) => [profileId, allocator.identityOf(profileId)]));
}

export const PLACEMENTS = ["Top of Search on-Amazon", "Detail Page on-Amazon", "Other on-Amazon"] as const;
const PLACEMENT_WEIGHTS = [0.5, 0.3, 0.2] as const;
const BIDDING_STRATEGIES = ["legacyForSales", "autoForSales", "manual"] as const;
const BUDGETS_CENTS = [500, 1000, 1250, 2000, 2500, 3799, 5000, 7550, 10000, 40000] as const;
const PRODUCTS = [
  "Widgets",
  "Garden Hose",
  "Yoga Mat",
  "Coffee Beans",
  "Phone Case",
  "Desk Lamp",
  "Dog Treats",
] as const;
const TARGETING = ["Auto", "Manual - Exact", "Manual - Broad", "Manual - Phrase", "Product Targeting"] as const;

/** Campaign 0 of every profile carries this name, so tests always meet quotes, non-ASCII and an emoji. */
export const TOP_CAMPAIGN_NAME = 'Spring "Sale" – Größe 🌸';

const SPECIAL_NAMES: ReadonlyArray<(index: number) => string> = [
  (index) => `${TOP_CAMPAIGN_NAME} #${index}`,
  (index) => `Café crème – été ${index}`,
  (index) => `日本語キャンペーン ${index}`,
  (index) => `Kids' Toys 🧸 "Best Sellers" ${index}`,
  (index) => `Ürün Kampanyası – İndirim ${index}`,
];

interface Campaign {
  index: number;
  id: string;
  name: string;
  status: string;
  budgetCents: number;
  biddingStrategy: string;
  budgetRule: { amountCents: number; ruleId: string; ruleName: string } | null;
  priceCents: number;
  impressionScale: number;
  clickRate: number;
  conversionRate: number;
  cpcCents: number;
  adGroupCount: number;
  isKindle: boolean;
}

interface AdGroup {
  index: number;
  id: string;
  name: string;
  status: string;
}

const SALT_CAMPAIGN = 0x5ca3;
const SALT_AD_GROUP = 0xad60;
const SALT_ACTIVITY = 0xac71;
const SALT_VERSION = 0x7e45;
const SALT_SHUFFLE = 0x5bff;
const SALT_SUMMARY = 0x5a33;

function campaignIdFor(account: Account, index: number, rng: Rng): string {
  if (index === 0) return account.identity.topCampaignId;
  // Always take the profile's own draw, so the rest of the campaign (name, metrics…) is the same whether or not
  // the ids are shared; a shared id redoes the draw the source profile makes (its first for this index).
  const ownDraw = rng.int(1000);
  const { seed, idBlock } = account.identity.campaignIds;
  const draw = seed === account.identity.profileSeed ? ownDraw : new Rng(hash2(seed ^ SALT_CAMPAIGN, index)).int(1000);
  return String(100_000_000_000_000 + idBlock * 1_000_000_000 + index * 1000 + draw);
}

function buildCampaign(account: Account, index: number): Campaign {
  const rng = new Rng(hash2(account.identity.profileSeed ^ SALT_CAMPAIGN, index));
  const id = campaignIdFor(account, index, rng);
  const nameStyle = rng.next();
  const specialName = SPECIAL_NAMES[rng.int(SPECIAL_NAMES.length)]!;
  const plainName = `SP - ${rng.pick(TARGETING)} - ${rng.pick(PRODUCTS)} ${String(index).padStart(4, "0")}`;
  const name = index === 0 ? TOP_CAMPAIGN_NAME : nameStyle < 0.3 ? specialName(index) : plainName;
  const statusRoll = rng.next();
  const status = index === 0 || statusRoll < 0.75 ? "ENABLED" : statusRoll < 0.92 ? "PAUSED" : "ARCHIVED";
  const budgetCents = rng.pick(BUDGETS_CENTS);
  const biddingStrategy = rng.pick(BIDDING_STRATEGIES);
  const hasBudgetRule = rng.next() < 0.1;
  const ruleNumber = rng.int(900) + 100;
  return {
    index,
    id,
    name,
    status,
    budgetCents,
    biddingStrategy,
    budgetRule: hasBudgetRule
      ? {
          amountCents: Math.round(budgetCents * 1.25),
          ruleId: `a1b2c3d4-0000-4000-8000-${String(index).padStart(8, "0")}${ruleNumber}0`,
          ruleName: `Prime Day boost ${ruleNumber}`,
        }
      : null,
    priceCents: 599 + rng.int(8400),
    impressionScale: 50 + rng.int(4950),
    clickRate: 0.002 + rng.next() * 0.018,
    conversionRate: 0.02 + rng.next() * 0.13,
    cpcCents: 20 + rng.int(280),
    adGroupCount: 1 + rng.int(3),
    isKindle: rng.next() < 0.1,
  };
}

function buildAdGroup(account: Account, campaign: Campaign, index: number): AdGroup {
  const rng = new Rng(hash4(account.identity.profileSeed ^ SALT_AD_GROUP, campaign.index, index, 0));
  const id = String(
    100_000_000_000_000 +
      account.identity.idBlock * 1_000_000_000 +
      300_000_000 +
      campaign.index * 3000 +
      index * 1000 +
      rng.int(1000),
  );
  const statusRoll = rng.next();
  return {
    index,
    id,
    name: `Ad group ${index + 1} – ${rng.pick(PRODUCTS)}`,
    status: statusRoll < 0.8 ? "ENABLED" : statusRoll < 0.95 ? "PAUSED" : "ARCHIVED",
  };
}

const WINDOW_COUNT = 4; // 1d, 7d, 14d, 30d

/** One row's numbers, in integer units (cents for money) so SUMMARY sums stay exact. */
interface Metrics {
  impressions: number;
  clicks: number;
  costCents: number;
  purchases: number[];
  purchasesSameSku: number[];
  unitsSold: number[];
  unitsSoldSameSku: number[];
  salesCents: number[];
  salesSameSkuCents: number[];
  addToList: number;
  qualifiedBorrows: number;
  royaltyQualifiedBorrows: number;
  pagesRead: number;
  pagesRoyaltiesCents: number;
  /** Basis points of topOfSearchImpressionShare, null when Amazon has no value. */
  topOfSearchShareBp: number | null;
}

function emptyMetrics(): Metrics {
  const zeros = (): number[] => [0, 0, 0, 0];
  return {
    impressions: 0,
    clicks: 0,
    costCents: 0,
    purchases: zeros(),
    purchasesSameSku: zeros(),
    unitsSold: zeros(),
    unitsSoldSameSku: zeros(),
    salesCents: zeros(),
    salesSameSkuCents: zeros(),
    addToList: 0,
    qualifiedBorrows: 0,
    royaltyQualifiedBorrows: 0,
    pagesRead: 0,
    pagesRoyaltiesCents: 0,
    topOfSearchShareBp: null,
  };
}

function addMetrics(total: Metrics, day: Metrics): void {
  total.impressions += day.impressions;
  total.clicks += day.clicks;
  total.costCents += day.costCents;
  for (let w = 0; w < WINDOW_COUNT; w++) {
    total.purchases[w]! += day.purchases[w]!;
    total.purchasesSameSku[w]! += day.purchasesSameSku[w]!;
    total.unitsSold[w]! += day.unitsSold[w]!;
    total.unitsSoldSameSku[w]! += day.unitsSoldSameSku[w]!;
    total.salesCents[w]! += day.salesCents[w]!;
    total.salesSameSkuCents[w]! += day.salesSameSkuCents[w]!;
  }
  total.addToList += day.addToList;
  total.qualifiedBorrows += day.qualifiedBorrows;
  total.royaltyQualifiedBorrows += day.royaltyQualifiedBorrows;
  total.pagesRead += day.pagesRead;
  total.pagesRoyaltiesCents += day.pagesRoyaltiesCents;
}

/** A row's entity below the campaign: an ad group and/or a placement (-1 when the groupBy lacks it). */
interface EntityKey {
  adGroup: number;
  placement: number;
  /** 1 when the report is filtered to campaignSite AmazonBusiness: a separate, smaller stream of activity. */
  site: number;
}

function entitySeed(account: Account, campaign: Campaign, entity: EntityKey, day: number): number {
  const entityCode = (entity.adGroup + 1) * 8 + (entity.placement + 1) + entity.site * 64;
  return hash4(account.identity.profileSeed, campaign.index, entityCode, day);
}

/** 0…9 per (profile, campaign index, day); 0 = the campaign had no activity that day. */
export function activityRoll(identity: AccountIdentity, campaignIndex: number, day: number): number {
  return hash4(identity.profileSeed ^ SALT_ACTIVITY, campaignIndex, day, 0) % 10;
}

/** Amazon lists only rows with activity: about 1 campaign-day in 10 has none (never campaign 0). */
function isActive(account: Account, campaign: Campaign, entity: EntityKey, day: number): boolean {
  if (campaign.index === 0 && entity.site === 0) return true;
  const roll = activityRoll(account.identity, campaign.index, day);
  if (roll === 0) return false;
  if (entity.site === 1 && roll > 3) return false;
  if (entity.adGroup > 0 || entity.placement > 0) {
    return entitySeed(account, campaign, entity, day) % 7 !== 0;
  }
  return true;
}

function dailyMetrics(campaign: Campaign, seed: number, entity: EntityKey, version: number): Metrics {
  // Base draws do not depend on the version, so a restatement nudges the numbers instead of replacing them.
  const base = new Rng(seed);
  const share =
    (entity.placement >= 0 ? PLACEMENT_WEIGHTS[entity.placement as 0 | 1 | 2] : 1) /
    (entity.adGroup >= 0 ? campaign.adGroupCount : 1) /
    (entity.site === 1 ? 8 : 1);
  const baseImpressions = 1 + Math.floor(campaign.impressionScale * share * (0.3 + base.next() * 1.4));
  const baseClicks = Math.floor(baseImpressions * campaign.clickRate * (0.5 + base.next()));
  const cpcCents = Math.max(5, Math.round(campaign.cpcCents * (0.7 + base.next() * 0.6)));
  const hasAddToList = base.int(4) === 0;
  const topOfSearchShareBp = base.next() < 0.3 ? null : 1 + base.int(9999);
  const pagesReadBase = campaign.isKindle ? base.int(400) : 0;

  const restated = new Rng(hash2(seed ^ SALT_VERSION, version));
  // version * step + a draw below step: every restatement strictly raises impressions and clicks.
  const impressionStep = Math.max(1, Math.ceil(baseImpressions * 0.02));
  const clickStep = Math.max(1, Math.ceil(baseClicks * 0.03));
  const impressions = baseImpressions + (version > 0 ? version * impressionStep + restated.int(impressionStep) : 0);
  const clicks = Math.min(impressions, baseClicks + (version > 0 ? version * clickStep + restated.int(clickStep) : 0));

  const metrics = emptyMetrics();
  metrics.impressions = impressions;
  metrics.clicks = clicks;
  metrics.costCents = clicks * cpcCents;
  const purchases30 = Math.floor(clicks * campaign.conversionRate * (0.6 + 0.8 * restated.next()) + restated.next());
  const purchases14 = Math.max(0, purchases30 - restated.int(2));
  const purchases7 = Math.max(0, purchases14 - restated.int(2));
  const purchases1 = Math.max(0, purchases7 - restated.int(3));
  const purchases = [purchases1, purchases7, purchases14, purchases30];
  const extraUnitsRatio = restated.next() * 0.3;
  const sameSkuShare = 0.6 + restated.next() * 0.4;
  const priceCents = campaign.priceCents + restated.int(50);
  for (let w = 0; w < WINDOW_COUNT; w++) {
    const windowPurchases = purchases[w]!;
    const units = windowPurchases + Math.floor(windowPurchases * extraUnitsRatio);
    const unitsSameSku = Math.floor(units * sameSkuShare);
    metrics.purchases[w] = windowPurchases;
    metrics.purchasesSameSku[w] = Math.floor(windowPurchases * sameSkuShare);
    metrics.unitsSold[w] = units;
    metrics.unitsSoldSameSku[w] = unitsSameSku;
    metrics.salesCents[w] = units * priceCents;
    metrics.salesSameSkuCents[w] = unitsSameSku * priceCents;
  }
  metrics.addToList = hasAddToList ? restated.int(4) : 0;
  metrics.qualifiedBorrows = campaign.isKindle ? restated.int(3) : 0;
  metrics.royaltyQualifiedBorrows = campaign.isKindle ? restated.int(2) : 0;
  metrics.pagesRead = pagesReadBase > 0 ? pagesReadBase + restated.int(20) : 0;
  metrics.pagesRoyaltiesCents = Math.round(metrics.pagesRead * 0.45);
  metrics.topOfSearchShareBp = topOfSearchShareBp;
  return metrics;
}

/** Everything a row's columns are rendered from. */
interface RowFacts {
  currencyCode: string;
  campaign: Campaign;
  adGroup: AdGroup | null;
  placement: string | null;
  date: string | null;
  startDate: string;
  endDate: string;
  metrics: Metrics;
}

// ---- value formatting: the exact JSON text Amazon-like files carry ----

/** Decimal money as Amazon's files show it: 12.34, 12.5, 400.0; zero as 0. */
export function moneyText(cents: number): string {
  if (cents === 0) return "0";
  const sign = cents < 0 ? "-" : "";
  const absolute = Math.abs(cents);
  const whole = Math.floor(absolute / 100);
  const fraction = absolute % 100;
  if (fraction === 0) return `${sign}${whole}.0`;
  if (fraction % 10 === 0) return `${sign}${whole}.${fraction / 10}`;
  return `${sign}${whole}.${String(fraction).padStart(2, "0")}`;
}

/** A double as Java prints it in JSON (1.2474307179849741, 0.0), never in exponent form. */
function doubleText(value: number): string {
  if (Number.isInteger(value)) return `${value}.0`;
  const text = String(value);
  return text.includes("e") ? value.toFixed(12).replace(/0+$/, "") : text;
}

function shareText(basisPoints: number): string {
  if (basisPoints >= 10_000) return "1.0";
  return `0.${String(basisPoints).padStart(4, "0").replace(/0+$/, "") || "0"}`;
}

interface ColumnSpec {
  kind: "number" | "string";
  value(facts: RowFacts): string | null;
}

const WINDOW_SUFFIXES = ["1d", "7d", "14d", "30d"] as const;

function buildColumnSpecs(): Map<string, ColumnSpec> {
  const specs = new Map<string, ColumnSpec>();
  const num = (name: string, value: (facts: RowFacts) => string | null): void => {
    specs.set(name, { kind: "number", value });
  };
  const str = (name: string, value: (facts: RowFacts) => string | null): void => {
    specs.set(name, { kind: "string", value });
  };
  num("impressions", (f) => String(f.metrics.impressions));
  num("clicks", (f) => String(f.metrics.clicks));
  num("cost", (f) => moneyText(f.metrics.costCents));
  num("spend", (f) => moneyText(f.metrics.costCents));
  num("costPerClick", (f) =>
    f.metrics.clicks > 0 ? moneyText(Math.round(f.metrics.costCents / f.metrics.clicks)) : null,
  );
  num("clickThroughRate", (f) =>
    f.metrics.impressions > 0 ? doubleText((f.metrics.clicks / f.metrics.impressions) * 100) : null,
  );
  num("addToList", (f) => String(f.metrics.addToList));
  num("qualifiedBorrows", (f) => String(f.metrics.qualifiedBorrows));
  num("royaltyQualifiedBorrows", (f) => String(f.metrics.royaltyQualifiedBorrows));
  num("kindleEditionNormalizedPagesRead14d", (f) => String(f.metrics.pagesRead));
  num("kindleEditionNormalizedPagesRoyalties14d", (f) => moneyText(f.metrics.pagesRoyaltiesCents));
  WINDOW_SUFFIXES.forEach((suffix, w) => {
    num(`purchases${suffix}`, (f) => String(f.metrics.purchases[w]));
    num(`purchasesSameSku${suffix}`, (f) => String(f.metrics.purchasesSameSku[w]));
    num(`unitsSoldClicks${suffix}`, (f) => String(f.metrics.unitsSold[w]));
    num(`unitsSoldSameSku${suffix}`, (f) => String(f.metrics.unitsSoldSameSku[w]));
    num(`sales${suffix}`, (f) => moneyText(f.metrics.salesCents[w]!));
    num(`attributedSalesSameSku${suffix}`, (f) => moneyText(f.metrics.salesSameSkuCents[w]!));
  });
  str("date", (f) => f.date);
  str("startDate", (f) => f.startDate);
  str("endDate", (f) => f.endDate);
  str("campaignBiddingStrategy", (f) => f.campaign.biddingStrategy);
  num("campaignId", (f) => f.campaign.id);
  str("campaignName", (f) => f.campaign.name);
  str("campaignStatus", (f) => f.campaign.status);
  num("campaignBudgetAmount", (f) => moneyText(f.campaign.budgetCents));
  str("campaignBudgetType", () => "DAILY_BUDGET");
  num("campaignRuleBasedBudgetAmount", (f) =>
    f.campaign.budgetRule ? moneyText(f.campaign.budgetRule.amountCents) : null,
  );
  str("campaignApplicableBudgetRuleId", (f) => f.campaign.budgetRule?.ruleId ?? null);
  str("campaignApplicableBudgetRuleName", (f) => f.campaign.budgetRule?.ruleName ?? null);
  str("campaignBudgetCurrencyCode", (f) => f.currencyCode);
  num("topOfSearchImpressionShare", (f) =>
    f.metrics.topOfSearchShareBp === null ? null : shareText(f.metrics.topOfSearchShareBp),
  );
  num("adGroupId", (f) => f.adGroup?.id ?? null);
  str("adGroupName", (f) => f.adGroup?.name ?? null);
  str("adStatus", (f) => f.adGroup?.status ?? null);
  str("placementClassification", (f) => f.placement);
  return specs;
}

const COLUMN_SPECS = buildColumnSpecs();

export function hasColumnSpec(column: string): boolean {
  return COLUMN_SPECS.has(column);
}

// ---- report plans and row iteration ----

export interface ReportPlan {
  account: Account;
  startDay: number;
  endDay: number;
  /** Last day with data: today in the profile's time zone (later dates have no activity yet). */
  lastDataDay: number;
  timeUnit: TimeUnit;
  groupBy: readonly GroupBy[];
  filters: readonly ReportFilter[];
  columns: readonly string[];
  restatementVersion: number;
  /** Campaigns whose rows the report leaves out (withdrawn by a restatement). */
  withdrawnCampaignIds?: ReadonlySet<string>;
  /** Columns null in every row of these dates. */
  nullColumns?: { dates: ReadonlySet<string>; columns: ReadonlySet<string> };
}

/** The value of one column in one row, after the plan's null-column gap. */
function cellValue(plan: ReportPlan, spec: ColumnSpec, column: string, facts: RowFacts): string | null {
  const gap = plan.nullColumns;
  if (gap && facts.date !== null && gap.dates.has(facts.date) && gap.columns.has(column)) return null;
  return spec.value(facts);
}

function filterValues(filters: readonly ReportFilter[], field: string): Set<string> | null {
  const filter = filters.find((candidate) => candidate.field === field);
  return filter ? new Set(filter.values) : null;
}

interface PlannedRow {
  facts: RowFacts;
  /** Seeds this row's key order. */
  rowSeed: number;
}

interface Entity {
  key: EntityKey;
  adGroup: AdGroup | null;
  placement: string | null;
}

/** Every row of the report, in file order (date, then campaign index, then ad group / placement), generated lazily. */
function* iterateRows(plan: ReportPlan): Generator<PlannedRow> {
  const { account } = plan;
  const byAdGroup = plan.groupBy.includes("adGroup");
  const byPlacement = plan.groupBy.includes("campaignPlacement");
  const campaignStatuses = filterValues(plan.filters, "campaignStatus");
  const adStatuses = filterValues(plan.filters, "adStatus");
  const site = filterValues(plan.filters, "campaignSite")?.has("AmazonBusiness") ? 1 : 0;
  const lastDay = Math.min(plan.endDay, plan.lastDataDay);
  const placementIndexes = byPlacement ? [0, 1, 2] : [-1];

  const entitiesOf = (campaign: Campaign): Entity[] => {
    const adGroups = byAdGroup
      ? Array.from({ length: campaign.adGroupCount }, (_, index) => buildAdGroup(account, campaign, index))
      : [null];
    const entities: Entity[] = [];
    for (const adGroup of adGroups) {
      if (adGroup && adStatuses && !adStatuses.has(adGroup.status)) continue;
      for (const placement of placementIndexes) {
        entities.push({
          key: { adGroup: adGroup ? adGroup.index : -1, placement, site },
          adGroup,
          placement: placement >= 0 ? PLACEMENTS[placement as 0 | 1 | 2] : null,
        });
      }
    }
    return entities;
  };
  const campaignIfIncluded = (index: number): Campaign | null => {
    const campaign = buildCampaign(account, index);
    if (plan.withdrawnCampaignIds?.has(campaign.id)) return null;
    return !campaignStatuses || campaignStatuses.has(campaign.status) ? campaign : null;
  };

  if (plan.timeUnit === "DAILY") {
    for (let day = plan.startDay; day <= lastDay; day++) {
      const date = dayToIso(day);
      for (let index = 0; index < account.campaigns; index++) {
        const campaign = campaignIfIncluded(index);
        if (!campaign) continue;
        for (const entity of entitiesOf(campaign)) {
          if (!isActive(account, campaign, entity.key, day)) continue;
          const seed = entitySeed(account, campaign, entity.key, day);
          yield {
            facts: {
              currencyCode: account.currencyCode,
              campaign,
              adGroup: entity.adGroup,
              placement: entity.placement,
              date,
              startDate: date,
              endDate: date,
              metrics: dailyMetrics(campaign, seed, entity.key, plan.restatementVersion),
            },
            rowSeed: hash2(seed, SALT_SHUFFLE),
          };
        }
      }
    }
    return;
  }

  const startDate = dayToIso(plan.startDay);
  const endDate = dayToIso(plan.endDay);
  for (let index = 0; index < account.campaigns; index++) {
    const campaign = campaignIfIncluded(index);
    if (!campaign) continue;
    for (const entity of entitiesOf(campaign)) {
      const total = emptyMetrics();
      let activeDays = 0;
      for (let day = plan.startDay; day <= lastDay; day++) {
        if (!isActive(account, campaign, entity.key, day)) continue;
        activeDays++;
        const seed = entitySeed(account, campaign, entity.key, day);
        addMetrics(total, dailyMetrics(campaign, seed, entity.key, plan.restatementVersion));
      }
      if (activeDays === 0) continue;
      const summarySeed = hash4(
        entitySeed(account, campaign, entity.key, plan.startDay) ^ SALT_SUMMARY,
        plan.endDay,
        0,
        0,
      );
      total.topOfSearchShareBp = summarySeed % 10 < 3 ? null : 1 + (summarySeed % 9999);
      yield {
        facts: {
          currencyCode: account.currencyCode,
          campaign,
          adGroup: entity.adGroup,
          placement: entity.placement,
          date: null,
          startDate,
          endDate,
          metrics: total,
        },
        rowSeed: hash2(summarySeed, SALT_SHUFFLE),
      };
    }
  }
}

function columnSpecsFor(columns: readonly string[]): ColumnSpec[] {
  return columns.map((column) => {
    const spec = COLUMN_SPECS.get(column);
    if (!spec) throw new Error(`No data generator for column ${column}`);
    return spec;
  });
}

const ROWS_PER_CHUNK = 500;

/**
 * The report file's JSON text in chunks: one array of flat objects whose keys are the requested columns,
 * in a per-row shuffled (deterministic) order. Never holds more than one chunk of rows.
 */
export function* reportJsonChunks(plan: ReportPlan): Generator<Buffer> {
  const specs = columnSpecsFor(plan.columns);
  const keyPrefixes = plan.columns.map((column) => `${JSON.stringify(column)}:`);
  const order = plan.columns.map((_, index) => index);
  const pending: string[] = [];
  const fields: string[] = [];
  let separator = "";

  yield Buffer.from("[");
  for (const { facts, rowSeed } of iterateRows(plan)) {
    const rng = new Rng(rowSeed);
    for (let i = 0; i < order.length; i++) order[i] = i;
    for (let i = order.length - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      const swap = order[i]!;
      order[i] = order[j]!;
      order[j] = swap;
    }
    fields.length = 0;
    for (const columnIndex of order) {
      const spec = specs[columnIndex]!;
      const value = cellValue(plan, spec, plan.columns[columnIndex]!, facts);
      const json = value === null ? "null" : spec.kind === "number" ? value : JSON.stringify(value);
      fields.push(keyPrefixes[columnIndex]! + json);
    }
    pending.push(`${separator}{${fields.join(",")}}`);
    separator = ",";
    if (pending.length >= ROWS_PER_CHUNK) {
      yield Buffer.from(pending.join(""));
      pending.length = 0;
    }
  }
  if (pending.length > 0) yield Buffer.from(pending.join(""));
  yield Buffer.from("]");
}

interface RowSortKey {
  date: string;
  campaignId: string;
  adGroupId: string;
  placement: string;
}

function compareIdText(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}

/** The rows a report for this plan contains, values as exact JSON text (strings unquoted), sorted by date then campaignId. */
export function expectedRowsFor(plan: ReportPlan): ExpectedRow[] {
  const specs = columnSpecsFor(plan.columns);
  const rows: Array<{ key: RowSortKey; row: ExpectedRow }> = [];
  for (const { facts } of iterateRows(plan)) {
    const row: ExpectedRow = {};
    plan.columns.forEach((column, index) => {
      row[column] = cellValue(plan, specs[index]!, column, facts);
    });
    rows.push({
      key: {
        date: facts.date ?? facts.startDate,
        campaignId: facts.campaign.id,
        adGroupId: facts.adGroup?.id ?? "",
        placement: facts.placement ?? "",
      },
      row,
    });
  }
  rows.sort(
    (a, b) =>
      (a.key.date < b.key.date ? -1 : a.key.date > b.key.date ? 1 : 0) ||
      compareIdText(a.key.campaignId, b.key.campaignId) ||
      compareIdText(a.key.adGroupId, b.key.adGroupId) ||
      (a.key.placement < b.key.placement ? -1 : a.key.placement > b.key.placement ? 1 : 0),
  );
  return rows.map((entry) => entry.row);
}
