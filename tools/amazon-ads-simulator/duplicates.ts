import { newReportRecord } from "./report-record";
import { consumeFault } from "./scenario";
import type { ReportRecord, SimulatorState } from "./state";
import type { Region } from "./types";
import { duplicateKeyOf, validateCreateReport, type ValidReportRequest } from "./validation";

// Amazon answers a create with 425 "The Request is a duplicate of : <reportId>" while an identical
// request (profile, dates, configuration) is in flight. The scenario's duplicateOfOtherConfig makes
// the pointed-at report one whose dates match but whose configuration does not, as a client that
// adopts the named report without checking it would then load the wrong data.

/** The in-flight report a create is a duplicate of, if any (a scenario fault may make one up). */
export function duplicateFor(
  state: SimulatorState,
  profileId: string,
  region: Region,
  valid: ValidReportRequest,
): ReportRecord | null {
  if (consumeFault(state.scenario, "duplicateOfOtherConfig")) {
    const other = newReportRecord(state, profileId, region, otherConfiguration(state, profileId, valid));
    state.addReport(other);
    return other;
  }
  return (
    state.reportsByKey
      .get(duplicateKeyOf(profileId, valid))
      ?.find((report) => report.status === "PENDING" || report.status === "PROCESSING") ?? null
  );
}

/** The same request with timeUnit flipped (DAILY has `date`, SUMMARY has startDate/endDate instead). */
function otherConfiguration(state: SimulatorState, profileId: string, valid: ValidReportRequest): ValidReportRequest {
  const keep = valid.columns.filter((column) => !["date", "startDate", "endDate"].includes(column));
  const summary = valid.timeUnit === "DAILY";
  const configuration = {
    ...valid.configuration,
    timeUnit: summary ? "SUMMARY" : "DAILY",
    columns: summary ? [...keep, "startDate", "endDate"] : ["date", ...keep],
  };
  const body = { name: valid.name, startDate: valid.startDate, endDate: valid.endDate, configuration };
  const result = validateCreateReport(body, state.scenario.extraInvalidColumns, state.today(profileId));
  if (!result.ok) throw new Error(`duplicateOfOtherConfig: the other configuration is invalid: ${result.detail}`);
  return result.request;
}
