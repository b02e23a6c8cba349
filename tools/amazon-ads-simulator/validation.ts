import { allowedColumns, GROUP_BY_FILTERS, GROUP_BYS, isGroupBy, type GroupBy } from "./columns";
import { hasColumnSpec } from "./data";
import { dayToIso, parseIsoDay } from "./dates";
import type { ReportFilter, TimeUnit } from "./types";

// Validation of POST /reporting/reports for spCampaigns. Quoted messages are the ones observed from Amazon
// (public code comments, amzn/ads-advanced-tools-docs#375; retention text from airbytehq/airbyte#55217); the
// rest are worded in the same style.

export const MAX_RANGE_DAYS = 31;
export const RETENTION_DAYS = 95;

const AD_PRODUCTS = [
  "SPONSORED_PRODUCTS",
  "SPONSORED_BRANDS",
  "SPONSORED_DISPLAY",
  "SPONSORED_TELEVISION",
  "DEMAND_SIDE_PLATFORM",
  "ALL",
];

export interface ValidReportRequest {
  name: string | null;
  startDate: string;
  endDate: string;
  configuration: Record<string, unknown>;
  timeUnit: TimeUnit;
  groupBy: GroupBy[];
  columns: string[];
  filters: ReportFilter[];
}

export type ValidationResult = { ok: true; request: ValidReportRequest } | { ok: false; detail: string };

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === "string");
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}

function validateFilters(raw: unknown, groupBy: GroupBy[]): { filters: ReportFilter[] } | { detail: string } {
  if (raw === undefined || raw === null) return { filters: [] };
  if (
    !Array.isArray(raw) ||
    !raw.every((item) => isRecord(item) && typeof item.field === "string" && isStringArray(item.values))
  ) {
    return { detail: "configuration filters must be a list of {field, values}" };
  }
  const filters = raw as ReportFilter[];
  if (filters.length === 0) return { filters };
  const fields = filters.map((filter) => filter.field);
  const allowedRules = groupBy.length === 1 ? [GROUP_BY_FILTERS[groupBy[0]!]] : [];
  const invalidFields = fields.filter((field) => !allowedRules.some((rule) => rule.field === field));
  if (invalidFields.length > 0) {
    const allowedText = allowedRules
      .map(
        (rule) =>
          `Allowed filters for groupBy ${groupBy[0]}: (field: ${rule.field}, values: ${rule.values.join(", ")})`,
      )
      .join(" ");
    return {
      detail:
        `configuration filters includes fields: (${unique(invalidFields).join(", ")}) which are invalid for groupBys: ${groupBy.join(", ")}.` +
        (allowedText ? ` ${allowedText}` : " Filters are only supported with a single groupBy value."),
    };
  }
  for (const filter of filters) {
    const rule = allowedRules.find((candidate) => candidate.field === filter.field)!;
    const invalidValues = filter.values.filter((value) => !rule.values.includes(value));
    if (invalidValues.length > 0 || filter.values.length === 0) {
      return {
        detail: `configuration filters field ${filter.field} includes invalid values: (${invalidValues.join(", ")}). Allowed values: (${rule.values.join(", ")})`,
      };
    }
  }
  return { filters };
}

/**
 * @param extraInvalidColumns columns rejected this run although Amazon normally offers them (scenario).
 * @param today the profile's current day (days since epoch), for the retention limit.
 */
export function validateCreateReport(
  body: unknown,
  extraInvalidColumns: readonly string[],
  today: number,
): ValidationResult {
  const fail = (detail: string): ValidationResult => ({ ok: false, detail });
  if (!isRecord(body)) return fail("Request body must be a JSON object");
  const { startDate, endDate, configuration, name } = body;
  if (startDate === undefined) return fail("startDate is required");
  if (endDate === undefined) return fail("endDate is required");
  const startDay = parseIsoDay(startDate);
  const endDay = parseIsoDay(endDate);
  if (startDay === null) return fail(`startDate (${String(startDate)}) is invalid. Expected format: YYYY-MM-DD`);
  if (endDay === null) return fail(`endDate (${String(endDate)}) is invalid. Expected format: YYYY-MM-DD`);
  if (name !== undefined && name !== null && typeof name !== "string") return fail("name must be a string");
  if (!isRecord(configuration)) return fail("configuration is required");

  const { adProduct, reportTypeId, groupBy, columns, timeUnit, format, filters } = configuration;
  if (typeof adProduct !== "string" || !AD_PRODUCTS.includes(adProduct)) {
    return fail("configuration adProduct is unknown or invalid");
  }
  if (reportTypeId !== "spCampaigns" || adProduct !== "SPONSORED_PRODUCTS") {
    return fail("configuration reportTypeId is unknown or invalid");
  }
  if (!isStringArray(groupBy) || groupBy.length === 0) return fail("configuration groupBy cannot be null or empty");
  const invalidGroupBys = groupBy.filter((value) => !isGroupBy(value));
  if (invalidGroupBys.length > 0) {
    return fail(
      `configuration groupBy includes invalid values: (${unique(invalidGroupBys).join(", ")}). Allowed values: (${GROUP_BYS.join(", ")})`,
    );
  }
  const groupBys = unique(groupBy) as GroupBy[];
  if (!isStringArray(columns) || columns.length === 0) return fail("configuration columns cannot be null or empty");
  if (timeUnit !== "DAILY" && timeUnit !== "SUMMARY")
    return fail("configuration timeUnit is not supported for this report type");
  if (format !== "GZIP_JSON") return fail("configuration format is unknown or invalid");

  const allowed = allowedColumns(groupBys).filter(
    (column) => !extraInvalidColumns.includes(column) && hasColumnSpec(column),
  );
  const invalidColumns = unique(columns.filter((column) => !allowed.includes(column)));
  if (invalidColumns.length > 0) {
    return fail(
      `configuration columns includes invalid values: (${invalidColumns.join(", ")}). Allowed values: (${allowed.join(", ")})`,
    );
  }
  if (timeUnit === "DAILY" && (columns.includes("startDate") || columns.includes("endDate"))) {
    return fail(
      "configuration startDate and endDate are not supported columns for DAILY time unit. Please use date instead.",
    );
  }
  if (timeUnit === "SUMMARY" && columns.includes("date")) {
    return fail(
      "configuration date is not a supported column for SUMMARY time unit. Please use startDate and/or endDate instead.",
    );
  }
  const filterResult = validateFilters(filters, groupBys);
  if ("detail" in filterResult) return fail(filterResult.detail);

  if (endDay < startDay) return fail(`endDate (${endDate}) must be equal to or after startDate (${startDate})`);
  const rangeDays = endDay - startDay + 1;
  if (rangeDays > MAX_RANGE_DAYS) {
    return fail(
      `startDate to endDate range (${rangeDays} days) must not exceed maximum range (${MAX_RANGE_DAYS} days)`,
    );
  }
  const retentionStart = today - RETENTION_DAYS;
  if (startDay < retentionStart) {
    return fail(
      `startDate (${startDate}) must be equal to or after report type data retention start date (${dayToIso(retentionStart)})`,
    );
  }
  return {
    ok: true,
    request: {
      name: typeof name === "string" ? name : null,
      startDate: startDate as string,
      endDate: endDate as string,
      configuration: { ...configuration, filters: filters ?? null },
      timeUnit,
      groupBy: groupBys,
      columns: unique(columns),
      filters: filterResult.filters,
    },
  };
}

function canonical(value: unknown): unknown {
  if (isStringArray(value)) return [...value].sort();
  if (Array.isArray(value))
    return value.map(canonical).sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));
  if (isRecord(value)) {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .filter((key) => value[key] !== undefined)
        .map((key) => [key, canonical(value[key])]),
    );
  }
  return value;
}

/** Same profile, dates and configuration (order-insensitive; `name` ignored) = the same report for 425 purposes. */
export function duplicateKeyOf(profileId: string, request: ValidReportRequest): string {
  const configuration = { ...request.configuration };
  if (Array.isArray(configuration.filters) && configuration.filters.length === 0) configuration.filters = null;
  return JSON.stringify(
    canonical({ profileId, startDate: request.startDate, endDate: request.endDate, configuration }),
  );
}
