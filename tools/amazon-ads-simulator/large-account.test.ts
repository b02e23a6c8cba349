import { describe, expect, it } from "vitest";
import { Readable } from "node:stream";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import { createGunzip } from "node:zlib";
import { SIM_DEFAULTS } from "./defaults";
import { completedReport, reportBody, startSimWithToken } from "./test-prelude";

const CAMPAIGNS = 200_000;
const MARKER = '"campaignId":';

/** Streams the download through gunzip and counts rows without holding the decompressed text. */
async function countStreamedRows(
  body: WebReadableStream<Uint8Array>,
  bigId: string,
): Promise<{ rows: number; bytes: number; sawBigId: boolean; first: string; last: string }> {
  let rows = 0;
  let bytes = 0;
  let carry = "";
  let sawBigId = false;
  let first = "";
  let last = "";
  for await (const chunk of Readable.fromWeb(body).pipe(createGunzip())) {
    const text = carry + (chunk as Buffer).toString("latin1");
    if (!first) first = text[0] ?? "";
    bytes += (chunk as Buffer).length;
    let index = text.indexOf(MARKER);
    let consumedTo = 0;
    while (index !== -1) {
      rows++;
      consumedTo = index + MARKER.length;
      index = text.indexOf(MARKER, consumedTo);
    }
    if (text.includes(`${MARKER}${bigId},`) || text.includes(`${MARKER}${bigId}}`)) sawBigId = true;
    // Keep enough tail to find a marker (or the big id) split across chunks, but never re-count one.
    carry = text.slice(Math.max(consumedTo, text.length - 40));
    last = text[text.length - 1] ?? last;
  }
  return { rows, bytes, sawBigId, first, last };
}

describe("large account", () => {
  it("a single-day report over 200k campaigns is generated and served as a stream, with the exact fileSize", async () => {
    const { sim, token } = await startSimWithToken({ profiles: [{ ...SIM_DEFAULTS.profile, campaigns: CAMPAIGNS }] });
    const columns = ["date", "campaignId", "impressions", "clicks", "cost", "sales14d"];
    const body = reportBody({ startDate: "2025-06-14", endDate: "2025-06-14", configuration: { columns } });
    const report = await completedReport(sim, token, body);
    const expected = sim.expectedRows(SIM_DEFAULTS.profileId, "2025-06-14", "2025-06-14", ["campaignId"]);
    const bigId = expected.map((row) => row.campaignId!).find((id) => BigInt(id) > 2n ** 53n)!;

    const response = await fetch(report.url!);
    expect(response.status).toBe(200);
    expect(Number(response.headers.get("content-length"))).toBe(report.fileSize);
    const counted = await countStreamedRows(response.body as WebReadableStream<Uint8Array>, bigId);
    expect(counted.rows).toBe(expected.length);
    expect(counted.rows).toBeGreaterThan(CAMPAIGNS * 0.85);
    expect(counted.rows).toBeLessThanOrEqual(CAMPAIGNS);
    expect(counted.sawBigId).toBe(true);
    expect(counted.first).toBe("[");
    expect(counted.last).toBe("]");
  }, 60_000);
});
