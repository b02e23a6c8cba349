import { randomUUID } from "node:crypto";
import type { GroupBy } from "./columns";
import type { ReportFile } from "./report-file";
import type { Region, ReportFilter, ReportStatus, TimeUnit } from "./types";
import { duplicateKeyOf, type ValidReportRequest } from "./validation";

export interface ReportShape {
  timeUnit: TimeUnit;
  groupBy: GroupBy[];
  filters: ReportFilter[];
  columns: string[];
}

export interface ReportRecord {
  reportId: string;
  profileId: string;
  region: Region;
  name: string | null;
  startDate: string;
  endDate: string;
  /** The configuration as echoed by Amazon (filters defaulting to null). */
  configuration: Record<string, unknown>;
  /** Canonical (profile, dates, configuration) text for 425 duplicate detection. */
  duplicateKey: string;
  shape: ReportShape;
  createdAt: string;
  /** Part of the S3 object key, as in Amazon's `<reportId>-<epoch ms>/report-<reportId>-<epoch ms>.json.gz`. */
  createdMs: number;
  updatedAt: string;
  status: ReportStatus;
  polls: number;
  deleted: boolean;
  failureReason: string | null;
  generatedAt: string | null;
  file: ReportFile | null;
  /** Set while the file is being generated, so concurrent polls share the work. */
  completion: Promise<void> | null;
  /** Signatures of URLs answered "Request has expired" (expireUrlOnce); they stay expired. */
  expiredSignatures: Set<string>;
  expiredOnceServed: boolean;
}

/** A report as a create registers it: PENDING, no file yet, keyed for 425 duplicate detection. */
export function newReportRecord(
  state: { now(): Date },
  profileId: string,
  region: Region,
  valid: ValidReportRequest,
): ReportRecord {
  const created = state.now();
  return {
    reportId: randomUUID(),
    profileId,
    region,
    name: valid.name,
    startDate: valid.startDate,
    endDate: valid.endDate,
    configuration: valid.configuration,
    duplicateKey: duplicateKeyOf(profileId, valid),
    shape: { timeUnit: valid.timeUnit, groupBy: valid.groupBy, filters: valid.filters, columns: valid.columns },
    createdAt: created.toISOString(),
    createdMs: created.getTime(),
    updatedAt: created.toISOString(),
    status: "PENDING",
    polls: 0,
    deleted: false,
    failureReason: null,
    generatedAt: null,
    file: null,
    completion: null,
    expiredSignatures: new Set(),
    expiredOnceServed: false,
  };
}
