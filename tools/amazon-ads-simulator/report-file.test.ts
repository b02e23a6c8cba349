import { describe, expect, it } from "vitest";
import { gunzipSync } from "node:zlib";
import { allocateIdentities, expectedRowsFor, type ReportPlan } from "./data";
import { parseIsoDay } from "./dates";
import { buildReportFile, openReportFile, type ReportFile } from "./report-file";
import { parseRowsLossless, rowObject, sortRows } from "./test-prelude";

const PROFILE = "366822873177837";

function plan(campaigns: number): ReportPlan {
  return {
    account: {
      profileId: PROFILE,
      currencyCode: "GBP",
      campaigns,
      identity: allocateIdentities([PROFILE]).get(PROFILE)!,
    },
    startDay: parseIsoDay("2025-06-01")!,
    endDay: parseIsoDay("2025-06-03")!,
    lastDataDay: parseIsoDay("2025-06-15")!,
    timeUnit: "DAILY",
    groupBy: ["campaign"],
    filters: [],
    columns: ["date", "campaignId", "campaignName", "clicks", "cost"],
    restatementVersion: 0,
  };
}

async function bytesOf(file: ReportFile): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of openReportFile(file)) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

describe("report file (the S3 object)", () => {
  it("regenerating an uncached file as a stream yields exactly the bytes that were measured and cached", async () => {
    const cached = await buildReportFile(plan(500), false);
    const streamed = await buildReportFile(plan(500), false, 0);
    expect(cached.cached).not.toBeNull();
    expect(streamed.cached).toBeNull();
    expect(streamed.size).toBe(cached.size);
    const streamedBytes = await bytesOf(streamed);
    expect(streamedBytes.equals(cached.cached!)).toBe(true);
    const rows = sortRows(parseRowsLossless(gunzipSync(streamedBytes).toString("utf8")).map(rowObject));
    expect(rows).toEqual(expectedRowsFor(plan(500)));
  });

  it("a corrupt file is the first half of the gzip, cached or streamed", async () => {
    const whole = await buildReportFile(plan(500), false);
    const cached = await buildReportFile(plan(500), true);
    const streamed = await buildReportFile(plan(500), true, 0);
    expect(cached.size).toBe(Math.floor(whole.size / 2));
    expect(streamed.size).toBe(cached.size);
    const streamedBytes = await bytesOf(streamed);
    expect(streamedBytes.equals(whole.cached!.subarray(0, cached.size))).toBe(true);
    expect(() => gunzipSync(streamedBytes)).toThrow();
  });

  it("an empty report is gzip('[]'), 22 bytes", async () => {
    const empty = await buildReportFile(null, false);
    expect(empty.size).toBe(22);
    expect(gunzipSync(await bytesOf(empty)).toString()).toBe("[]");
  });
});
