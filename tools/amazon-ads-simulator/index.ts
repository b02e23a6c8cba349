// Local stand-in for Login with Amazon, Amazon Ads reporting v3 and the S3 report download. See README.md.
export { startSimulator } from "./server";
export { simulatorEnv } from "./wiring";
export {
  SIM_DEFAULTS,
  SIM_DEFAULT_CLIENTS,
  SIM_DEFAULT_PROFILES,
  SIM_MULTI_CLIENT,
  SIM_MULTI_DATE_SPLIT_NOW,
  SIM_MULTI_PROFILE_IDS,
  SIM_SECOND_CLIENT,
  simMultiProfiles,
} from "./defaults";
export { defaultScenario } from "./scenario";
export {
  SCALE_SHARED_CLIENT_ID,
  SCALE_SHARED_CLIENT_SECRET,
  simScaleAccounts,
  type ScaleAccountsOptions,
} from "./scale-accounts";
export { allowedColumns, BASE_COLUMNS, GROUP_BY_COLUMNS } from "./columns";
export type {
  ClientRateLimit,
  ExpectedRow,
  ExpectedRowsOptions,
  LatencyMs,
  MsRange,
  RecordedRequest,
  Region,
  ReportFilter,
  ReportSummary,
  Scenario,
  SimClient,
  SimClientFaults,
  SimProfile,
  Simulator,
  SimulatorOptions,
  TimeUnit,
} from "./types";
