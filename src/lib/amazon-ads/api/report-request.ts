import { AmazonError, isAmazonError } from "../../amazon/errors";
import { KEY_COLUMNS, REQUESTED_COLUMNS } from "../../catalogue/sp-campaigns";
import type { AdsClient, AsyncReport } from "./client";

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
  return match?.[1] ?? null;
}

/** 400 "startDate (…) must be equal to or after report type data retention start date (2026-09-01)" → "2026-09-01". */
export function parseRetentionStart(detail: string): string | null {
  return /retention start date\s*\(?\s*(\d{4}-\d{2}-\d{2})/i.exec(detail)?.[1] ?? null;
}

type ReportRequest = ReturnType<typeof buildReportRequest>;

/** Why the report a 425 names is not the one we asked for (dates, configuration, columns as a set), or null. */
export function adoptionMismatch(existing: AsyncReport, wanted: ReportRequest): string | null {
  const { startDate, endDate } = wanted;
  if ((existing.startDate ?? startDate) !== startDate || (existing.endDate ?? endDate) !== endDate)
    return `it covers ${existing.startDate}..${existing.endDate}, not ${startDate}..${endDate}`;
  const config = existing.configuration;
  if (config === null || typeof config !== "object") return "Amazon did not say how it is configured";
  const got = config as Record<string, unknown>;
  const want = wanted.configuration;
  for (const field of ["reportTypeId", "adProduct", "timeUnit", "format"] as const)
    if (got[field] !== want[field]) return `its ${field} is ${JSON.stringify(got[field])}, not "${want[field]}"`;
  for (const field of ["groupBy", "columns"] as const) {
    const theirs = Array.isArray(got[field]) ? new Set((got[field] as unknown[]).map(String)) : null;
    const ours = new Set<string>(want[field]);
    const same = theirs !== null && theirs.size === ours.size && [...ours].every((c) => theirs.has(c));
    if (!same) return `its ${field} differ from ours`;
  }
  return null;
}

/**
 * Creates one report, recovering the ways Amazon refuses a good request: 400 naming invalid columns (drop
 * those, once), 400 naming a later retention start (start there, once; a range wholly before it is refused
 * as "outside_retention") and 425 duplicate (adopt the existing report when it is truly ours). Its `startDate`
 * is the one asked for or Amazon's later retention start; `adopted`: taken over after a 425.
 */
export async function createReportWithRecovery(client: AdsClient, startDate: string, endDate: string) {
  let current = REQUESTED_COLUMNS.map((c) => c.api);
  let start = startDate;
  const dropped: string[] = [];
  for (;;) {
    const body = buildReportRequest(start, endDate, current);
    try {
      const report = await client.createReport(body);
      return { reportId: report.reportId, startDate: start, adopted: false, droppedColumns: dropped };
    } catch (error) {
      if (!isAmazonError(error) || error.detail === undefined) throw error;
      if (error.status === 425)
        return { ...(await adoptDuplicate(client, error, body)), startDate: start, droppedColumns: dropped };
      if (error.status !== 400) throw error;
      const retentionStart = parseRetentionStart(error.detail);
      // Each recovery once: a start moved already differs from startDate; dropped columns were dropped.
      if (retentionStart && start === startDate && retentionStart > start) {
        if (retentionStart > endDate) {
          const message = `${start}..${endDate} is outside Amazon's retention, which starts at ${retentionStart}`;
          throw new AmazonError("rejected", message, { status: 400, code: error.code, reason: "outside_retention" });
        }
        start = retentionStart;
        continue;
      }
      const invalid = parseInvalidColumns(error.detail);
      // The key columns are never dropped: a row without them cannot be stored.
      const removable = invalid?.filter((n) => current.includes(n) && !KEY_COLUMNS.some((c) => c.api === n)) ?? [];
      if (dropped.length > 0 || removable.length === 0 || removable.length !== invalid?.length) throw error;
      current = current.filter((name) => !removable.includes(name));
      dropped.push(...removable);
    }
  }
}

/** 425: Amazon already has this report. Adopt it when it is truly ours, else refuse with the reason. */
async function adoptDuplicate(client: AdsClient, error: AmazonError, wanted: ReportRequest) {
  const existingId = parseDuplicateReportId(error.detail ?? "");
  if (!existingId) throw error;
  const mismatch = adoptionMismatch(await client.getReport(existingId), wanted);
  if (mismatch) {
    const message = `Amazon calls this a duplicate of report ${existingId}, but ${mismatch}; not adopted`;
    throw new AmazonError("rejected", message, { status: 425, code: error.code, reason: "duplicate_mismatch" });
  }
  return { reportId: existingId, adopted: true };
}
