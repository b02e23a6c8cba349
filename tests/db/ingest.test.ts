// The ingest of one report file (src/lib/amazon-ads/storage/ingest-report.ts) on the database the tier
// runs on: COPY into a staging table and merges, on PostgreSQL (COPY FROM STDIN) and on PGlite (COPY
// from a blob). Held to the same result in one merge as in many small ones, to exact values (int64 ids, numeric text, nulls, unicode, escapes), to the upsert's rules for an
// update (data_changed_at, updated_at, max_lookback_days, columns absent from the file), to "last
// row wins" for a repeated key, and to all-or-nothing when the file or the database fails.
import { gzipSync } from "node:zlib";
import { sql } from "drizzle-orm";
import { describe, expect, it, vi } from "vitest";
import { isAmazonError } from "@/lib/amazon/errors";
import { ReportCopyEncoder } from "@/lib/amazon-ads/report-file/copy-encoder";
import { ingestReport } from "@/lib/amazon-ads/storage/ingest-report";
import type { RowProvenance } from "@/lib/amazon-ads/storage/store-rows";
import { COLUMNS } from "@/lib/catalogue/sp-campaigns";
import { setupFileServer } from "../support/file-server";
import { setupSyncTest } from "../support/sync-fixture";

// The report files come from a server of this file's own (below), not from the simulator.
const { db } = setupSyncTest({ simulator: false, settings: "none" });
const files = setupFileServer();
const D = "2026-03-10";
const provenance = (reportId: string, lookback: number): RowProvenance => ({
  orgId: 1,
  profileId: "366822873177837",
  reportId,
  kind: "daily",
  startDate: D,
  endDate: D,
  referenceDate: `2026-03-${String(10 + lookback).padStart(2, "0")}`,
});
const file = (rows: Array<Record<string, unknown> | string>) =>
  `[${rows.map((r) => (typeof r === "string" ? r : JSON.stringify(r))).join(",\n")}]`;
const serve = (text: string, path = "/") => files.serve(gzipSync(text), path);

/** The app's ingest, small pieces and merges so that one file crosses several of each. */
async function ingest(url: string, p: RowProvenance, complete: () => Promise<void> = async () => {}, mergeRows = 3) {
  const unknownKeys = new Set<string>();
  const { rows, days } = await ingestReport(db(), url, p, { batchSize: 2, unknownKeys, mergeRows }, complete);
  return { rows, days, unknownKeys: [...unknownKeys].sort() };
}

/** The same file in one COPY and one merge, as the reference for the small ones. */
async function ingestInOneMerge(url: string, p: RowProvenance) {
  await ingest(url, p, undefined, 100_000);
}

/** Every column of every row as the database's own text, timestamps as "moved since" flags. */
async function stored(since = "-infinity"): Promise<Array<Record<string, string | null>>> {
  const cols = COLUMNS.map((c) => sql.raw(`"${c.db}"::text as "${c.api}"`));
  const result = await db().execute(sql`
    select ${sql.join(cols, sql`, `)}, profile_id, source_report_id, source_kind,
      source_lookback_days::text, max_lookback_days::text,
      (updated_at > ${since}::timestamptz)::text as updated, (data_changed_at > ${since}::timestamptz)::text as changed
    from amazon_sp_ads order by date, campaign_id`);
  return (result as unknown as { rows: Array<Record<string, string | null>> }).rows;
}

const tricky = file([
  '{"date":"2026-03-10","campaignId":9223372036854775807,"campaignName":"tab\\there, new\\nline, back\\\\slash, \\"quoted\\" \\/ \\u00e9\\ud83c\\udf38 🌸 – Größe","cost":12.50,"clicks":0,"impressions":-1,"clickThroughRate":0.1000,"topOfSearchImpressionShare":null}',
  '{"campaignId":12345678901234567,"date":"2026-03-10","campaignName":"\\\\N","cost":"1e-7","sales1d":-0.0,"campaignStatus":true,"newColumn":{"x":[1]}}',
  '{"date":"2026-03-10","campaignId":"900719925474099312","campaignName":"","cost":123456789012345678901234567890.000001,"campaignBudgetAmount":1E+3}',
  '{"date":"2026-03-10","campaignId":4,"campaignName":"lone \\ud800 surrogate","campaignStatus":"日本語","spend":7,"otherNew":5}',
  '{"date":"2026-03-10","campaignId":5}',
  '{ "date" : "2026-03-10" , "campaignId" : 6 , "campaignName" : "spaced" , "campaignBiddingStrategy" : "manual" }',
  '{"date":"2026-03-10","campaignId":7,"campaignName":"x","campaignName":"repeated key, last wins"}',
]);

describe("ingest of a report file", () => {
  it("goes through the COPY encoder on either database", async () => {
    const encoder = vi.spyOn(ReportCopyEncoder.prototype, "feed");
    await ingest(serve(tricky), provenance("r1", 1));
    expect(encoder.mock.calls.length).toBeGreaterThan(0);
    encoder.mockRestore();
  });

  it("stores every value exactly, in small merges as in one", async () => {
    const url = serve(tricky);
    const result = await ingest(url, provenance("r1", 1));
    expect(result).toMatchObject({ rows: 7, unknownKeys: ["newColumn", "otherNew"] });
    const ours = await stored();
    await db().execute(sql`delete from amazon_sp_ads`);
    await ingestInOneMerge(url, provenance("r1", 1));
    expect(ours).toEqual(await stored());

    const byId = new Map(ours.map((r) => [r.campaignId, r]));
    expect([...byId.keys()]).toEqual([
      "4",
      "5",
      "6",
      "7",
      "12345678901234567",
      "900719925474099312",
      "9223372036854775807",
    ]);
    expect(byId.get("9223372036854775807")).toMatchObject({
      campaignName: 'tab\there, new\nline, back\\slash, "quoted" / é🌸 🌸 – Größe',
      cost: "12.50",
      clicks: "0",
      impressions: "-1",
      clickThroughRate: "0.1000",
      topOfSearchImpressionShare: null,
      source_lookback_days: "1",
    });
    expect(byId.get("12345678901234567")).toMatchObject({
      campaignName: "\\N",
      cost: "0.0000001",
      sales1d: "0.0",
      campaignStatus: "true",
    });
    expect(byId.get("900719925474099312")).toMatchObject({
      campaignName: "",
      cost: "123456789012345678901234567890.000001",
      campaignBudgetAmount: "1000",
    });
    expect(byId.get("4")).toMatchObject({
      campaignName: "lone \ufffd surrogate",
      campaignStatus: "日本語",
      spend: "7",
    });
    expect(byId.get("5")).toMatchObject({ campaignName: null, cost: null });
    expect(byId.get("6")).toMatchObject({ campaignName: "spaced", campaignBiddingStrategy: "manual" });
    expect(byId.get("7")!.campaignName).toBe("repeated key, last wins");
  });

  it("updates as the upsert always has: data_changed_at only on a change, max lookback kept, absent columns kept", async () => {
    const row = (id: number, cost: string | null, extra: Record<string, unknown> = {}) => ({
      date: D,
      campaignId: id,
      cost: cost === null ? null : Number(cost),
      ...extra,
    });
    await ingest(
      serve(file([1, 2, 3, 4].map((id) => row(id, "1.5", { topOfSearchImpressionShare: 0.25 })))),
      provenance("r1", 7),
    );
    await db().execute(
      sql`update amazon_sp_ads set updated_at = now() - interval '1 day', data_changed_at = now() - interval '1 day'`,
    );
    const since = "now() - interval '1 hour'";
    // Row 1's cost changes, row 2 stays, row 3 drops to null, row 5 is new; the file no longer has topOfSearchImpressionShare.
    await ingest(serve(file([row(1, "2.5"), row(2, "1.5"), row(3, null), row(5, "9")])), provenance("r2", 3));
    const after = await db().execute(
      sql.raw(`select campaign_id::text as id, cost::text, top_of_search_impression_share::text as share,
      source_report_id as report, source_lookback_days::text as lookback, max_lookback_days::text as max,
      (updated_at > ${since})::text as updated, (data_changed_at > ${since})::text as changed
      from amazon_sp_ads order by campaign_id`),
    );
    expect((after as unknown as { rows: unknown[] }).rows).toEqual([
      { id: "1", cost: "2.5", share: "0.25", report: "r2", lookback: "3", max: "7", updated: "true", changed: "true" },
      { id: "2", cost: "1.5", share: "0.25", report: "r2", lookback: "3", max: "7", updated: "true", changed: "false" },
      { id: "3", cost: null, share: "0.25", report: "r2", lookback: "3", max: "7", updated: "true", changed: "true" },
      // Row 4 is not in r2, the latest report of that day: Amazon withdrew it, so it is gone.
      { id: "5", cost: "9", share: null, report: "r2", lookback: "3", max: "3", updated: "true", changed: "true" },
    ]);
  });

  it("a restated day equals its latest report: rows it no longer holds go, in the load's transaction", async () => {
    const row = (id: number, cost: number) => ({ date: D, campaignId: id, cost, impressions: 10, sales14d: 2.5 });
    await ingest(serve(file([row(1, 1.25), row(2, 2), row(3, 3)])), provenance("r1", 1));
    const later = await ingest(serve(file([row(1, 1.5), row(3, 3)])), provenance("r3", 3));
    expect(later.days).toEqual([
      { date: D, rows: 2, withdrawnRows: 1, suspectEmpty: false, keptRows: 0, superseded: false },
    ]);
    expect((await stored()).map((r) => [r.campaignId, r.cost])).toEqual([
      ["1", "1.5"],
      ["3", "3"],
    ]);
    // A load that fails after the delete would have run leaves the day as it was.
    await expect(
      ingest(serve(file([row(1, 9)])), provenance("r7", 7), async () => {
        throw new Error("killed before the commit");
      }),
    ).rejects.toThrow("killed before the commit");
    expect((await stored()).map((r) => [r.campaignId, r.cost])).toEqual([
      ["1", "1.5"],
      ["3", "3"],
    ]);
    const loads = await db().execute(
      sql`select report_id, lookback_days, rows, cost::text, sales_14d::text as sales, withdrawn_rows, suspect_empty
          from amazon_ads_day_loads order by loaded_at, id`,
    );
    expect((loads as unknown as { rows: unknown[] }).rows).toEqual([
      {
        report_id: "r1",
        lookback_days: 1,
        rows: 3,
        cost: "6.25",
        sales: "7.5",
        withdrawn_rows: 0,
        suspect_empty: false,
      },
      {
        report_id: "r3",
        lookback_days: 3,
        rows: 2,
        cost: "4.5",
        sales: "5.0",
        withdrawn_rows: 1,
        suspect_empty: false,
      },
    ]);
  });

  it("an empty report over a day with rows keeps them and marks the day suspect; over a day without rows it is an empty day", async () => {
    const empty = await ingest(serve("[]"), provenance("r1", 1));
    expect(empty.days).toEqual([
      { date: D, rows: 0, withdrawnRows: 0, suspectEmpty: false, keptRows: 0, superseded: false },
    ]);
    await ingest(
      serve(
        file([
          { date: D, campaignId: 1, cost: 1 },
          { date: D, campaignId: 2, cost: 2 },
        ]),
      ),
      provenance("r3", 3),
    );
    const suspect = await ingest(serve("[]"), provenance("r7", 7));
    expect(suspect.days).toEqual([
      { date: D, rows: 0, withdrawnRows: 0, suspectEmpty: true, keptRows: 2, superseded: false },
    ]);
    expect(await stored()).toHaveLength(2);
    const cleared = await ingest(serve(file([{ date: D, campaignId: 2, cost: 2 }])), provenance("r14", 14));
    expect(cleared.days).toEqual([
      { date: D, rows: 1, withdrawnRows: 1, suspectEmpty: false, keptRows: 0, superseded: false },
    ]);
    expect((await stored()).map((r) => r.campaignId)).toEqual(["2"]);
  });

  it("a (date, campaign) repeated in a file: its last row wins, within a merge and across merges", async () => {
    // Pieces of 2 rows, merges of 4 (the first of 2): campaign 1 is in every piece and every merge,
    // twice in the last one, which has to pick the later of the two.
    const ids = [2, 1, 1, 1, 1, 1, 1, 1, 3, 1, 1, 1];
    const url = serve(file(ids.map((id, i) => ({ date: D, campaignId: id, clicks: i }))));
    expect((await ingest(url, provenance("r1", 1), undefined, 4)).rows).toBe(ids.length);
    const ours = await stored();
    expect(ours.map((r) => [r.campaignId, r.clicks])).toEqual([
      ["1", "11"],
      ["2", "0"],
      ["3", "8"],
    ]);
    await db().execute(sql`delete from amazon_sp_ads`);
    await ingestInOneMerge(url, provenance("r1", 1));
    expect(ours).toEqual(await stored());
  });

  it("stores nothing of a file that fails anywhere, and the next one loads", async () => {
    const good = (id: number) => ({ date: D, campaignId: id, clicks: 1 });
    const many = (bad: Record<string, unknown>) => file([...[1, 2, 3, 4, 5, 6, 7, 8].map(good), bad]);
    const failure = (run: Promise<unknown>) =>
      run.then(
        () => null,
        (error: unknown) => error,
      );
    let marked = 0;
    const mark = async () => void marked++;

    // A bad value in the last row, after several merges.
    const data = await failure(ingest(serve(many({ date: D, campaignId: 9, clicks: "x" })), provenance("r1", 1), mark));
    expect(isAmazonError(data, "data")).toBe(true);
    // A value of the right shape that PostgreSQL refuses (bigint out of range): a database error.
    const refused = await failure(
      ingest(serve(many({ date: D, campaignId: "99999999999999999999" })), provenance("r1", 1), mark),
    );
    expect(refused).toBeInstanceOf(Error);
    expect(isAmazonError(refused)).toBe(false);
    // A download that breaks off halfway.
    const big = file(
      Array.from({ length: 3000 }, (_, i) => ({ ...good(i + 1), campaignName: `name ${i} ${"x".repeat(i % 50)}` })),
    );
    const cut = await failure(ingest(serve(big, "/cut/"), provenance("r1", 1), mark, 500));
    expect(isAmazonError(cut, "download")).toBe(true);
    // The report's own "completed" mark failing, after every row.
    const unmarked = await failure(
      ingest(serve(many(good(9))), provenance("r1", 1), () => Promise.reject(new Error("mark failed"))),
    );
    expect((unmarked as Error).message).toBe("mark failed");

    expect(marked).toBe(0);
    expect(await stored()).toEqual([]);
    expect((await ingest(serve(many(good(9))), provenance("r1", 1), mark)).rows).toBe(9);
    expect(marked).toBe(1);
    expect(await stored()).toHaveLength(9);
  });
});
