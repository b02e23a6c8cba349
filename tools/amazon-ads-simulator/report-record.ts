import { randomUUID } from "node:crypto";
import type { ReportRecord, SimulatorState } from "./state";
import type { Region } from "./types";
import { duplicateKeyOf, type ValidReportRequest } from "./validation";

/** A report as a create registers it: PENDING, no file yet, keyed for 425 duplicate detection. */
export function newReportRecord(
  state: SimulatorState,
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
