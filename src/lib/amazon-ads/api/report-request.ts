import { AmazonApiError } from "../../amazon/error-body";
import type { AdsClient, AsyncReport } from "./client";
import { REQUESTED_COLUMNS } from "../../catalogue/sp-campaigns";

export function buildReportRequest(
  startDate: string,
  endDate: string,
  columns: readonly string[] = REQUESTED_COLUMNS.map((c) => c.api),
) {
  return {
    name: startDate === endDate ? `spCampaigns ${startDate}` : `spCampaigns ${startDate}..${endDate}`,
    startDate,
    endDate,
    configuration: {
      adProduct: "SPONSORED_PRODUCTS",
      groupBy: ["campaign"],
      columns: [...columns],
      reportTypeId: "spCampaigns",
      timeUnit: "DAILY",
      format: "GZIP_JSON",
    },
  };
}

/** "configuration columns includes invalid values: (a, b). Allowed values: (…)" → ["a", "b"]. */
export function parseInvalidColumns(detail: string): string[] | null {
  const match =
    /columns includes invalid values:\s*\(([^)]*)\)/i.exec(detail) ?? /invalid values:\s*\[([^\]]*)\]/i.exec(detail);
  if (!match) return null;
  const names = match[1]!
    .split(",")
    .map((s) => s.trim().replace(/^["']|["']$/g, ""))
    .filter(Boolean);
  return names.length > 0 ? names : null;
}

/** 425 "The Request is a duplicate of : <uuid>" → the existing report's id. */
export function parseDuplicateReportId(detail: string): string | null {
  const uuid = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";
  const match =
    new RegExp(`duplicate of\\s*:?\\s*(${uuid})`, "i").exec(detail) ?? new RegExp(`(${uuid})`, "i").exec(detail);
  return match ? match[1]! : null;
}

export interface CreatedReport {
  reportId: string;
  /** Amazon answered 425 and we took over the report it already had for these dates. */
  adopted: boolean;
  droppedColumns: string[];
}

/**
 * Creates one report, recovering the two ways Amazon refuses a good request: 400 naming invalid
 * columns (drop exactly those, retry once) and 425 duplicate (adopt the existing report after
 * checking it covers the same dates).
 */
export async function createReportWithRecovery(
  client: AdsClient,
  startDate: string,
  endDate: string,
  columns: readonly string[] = REQUESTED_COLUMNS.map((c) => c.api),
): Promise<CreatedReport> {
  let current = [...columns];
  const dropped: string[] = [];
  for (let attempt = 0; ; attempt++) {
    try {
      const report = await client.createReport(buildReportRequest(startDate, endDate, current));
      return { reportId: report.reportId, adopted: false, droppedColumns: dropped };
    } catch (error) {
      if (!(error instanceof AmazonApiError)) throw error;
      if (error.status === 425) {
        const existingId = parseDuplicateReportId(error.detail);
        if (!existingId) throw error;
        const existing: AsyncReport = await client.getReport(existingId);
        if (
          (existing.startDate && existing.startDate !== startDate) ||
          (existing.endDate && existing.endDate !== endDate)
        ) {
          throw new AmazonApiError(
            error.operation,
            425,
            error.code,
            `Amazon calls this a duplicate of report ${existingId}, which covers ${existing.startDate}..${existing.endDate}, not ${startDate}..${endDate}`,
          );
        }
        return { reportId: existingId, adopted: true, droppedColumns: dropped };
      }
      const invalid = error.status === 400 ? parseInvalidColumns(error.detail) : null;
      const removable =
        invalid?.filter((name) => current.includes(name) && name !== "date" && name !== "campaignId") ?? [];
      if (attempt > 0 || removable.length === 0 || removable.length !== invalid?.length) throw error;
      current = current.filter((name) => !removable.includes(name));
      dropped.push(...removable);
    }
  }
}
