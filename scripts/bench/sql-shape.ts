// The table shape the baselines load: the same columns and the same ON CONFLICT rule as
// upsertCampaignRows in src/lib/amazon-ads/sync/store.ts, so the only difference is how rows travel.
import { REQUESTED_COLUMNS } from "../../src/lib/catalogue/sp-campaigns";
import type { ReportRow } from "../../src/lib/amazon-ads/report-file/read-report";
import { SIM_DEFAULTS } from "../../tools/amazon-ads-simulator/index";

const q = (name: string) => `"${name}"`;
const NON_DATA = new Set(["date", "campaign_id"]);

export const REPORT_COLUMNS = REQUESTED_COLUMNS;
const PROVENANCE_COLUMNS = [
  "org_id",
  "profile_id",
  "source_report_id",
  "source_kind",
  "source_lookback_days",
  "max_lookback_days",
];
export const ALL_COLUMNS = [...PROVENANCE_COLUMNS, ...REPORT_COLUMNS.map((c) => c.db)];
export const COLUMN_LIST = ALL_COLUMNS.map(q).join(", ");
export const COLUMN_TYPES = [
  "integer",
  "text",
  "text",
  "text",
  "integer",
  "integer",
  ...REPORT_COLUMNS.map((c) => c.type),
];

/** Provenance of a single-day daily report with lookback 1, as the collect writes it. */
export function provenanceValues(reportId: string): string[] {
  return ["1", SIM_DEFAULTS.profileId, reportId, "daily", "1", "1"];
}

export function rowValues(provenance: string[], row: ReportRow): Array<string | null> {
  return [...provenance, ...REPORT_COLUMNS.map((c) => row[c.api] ?? null)];
}

const dataColumns = REPORT_COLUMNS.filter((c) => !NON_DATA.has(c.db)).map((c) => q(c.db));
/** store.ts's DO UPDATE: data columns, provenance, max lookback kept, updated_at only on a real change. */
export const ON_CONFLICT = `on conflict (org_id, date, campaign_id) do update set
  ${dataColumns.map((c) => `${c} = excluded.${c}`).join(", ")},
  profile_id = excluded.profile_id, source_report_id = excluded.source_report_id, source_kind = excluded.source_kind,
  source_lookback_days = excluded.source_lookback_days,
  max_lookback_days = greatest(amazon_sp_ads.max_lookback_days, excluded.max_lookback_days),
  updated_at = case when (${dataColumns.map((c) => `amazon_sp_ads.${c}`).join(", ")}) is distinct from (${dataColumns.map((c) => `excluded.${c}`).join(", ")}) then now() else amazon_sp_ads.updated_at end`;

/** One row per statement, parameters typed by the column (what a naive loop over an ORM insert sends). */
export const ROW_INSERT = `insert into amazon_sp_ads (${COLUMN_LIST}) values (${COLUMN_TYPES.map((t, i) => `$${i + 1}::${t}`).join(", ")}) ${ON_CONFLICT}`;

// COPY text format: tab-separated, \N for null, backslash escapes for \, tab, newline and CR.
const escapeCopy = (v: string) =>
  v.replace(/[\\\t\n\r]/g, (c) => (c === "\\" ? "\\\\" : c === "\t" ? "\\t" : c === "\n" ? "\\n" : "\\r"));

/** The rows as COPY text, in chunks of `per` rows (a 200k-row load is ~100 MB of text). */
export function* copyText(rows: ReportRow[], provenance: string[], per = 1_000): Generator<string> {
  for (let i = 0; i < rows.length; i += per) {
    let chunk = "";
    for (const row of rows.slice(i, i + per))
      chunk +=
        rowValues(provenance, row)
          .map((v) => (v === null ? "\\N" : escapeCopy(v)))
          .join("\t") + "\n";
    yield chunk;
  }
}
