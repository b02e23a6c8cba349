// streamReportCopy as the collect uses it: memory bounded by backpressure (a consumer that
// stalls holds the download back), the connection freed when the consumer leaves early, and the
// simulator's download faults named as the retry loop expects.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { AmazonError } from "@/lib/amazon/errors";
import { streamReportCopy, type ReportRow } from "@/lib/amazon-ads/report-file/read-report";
import { KEY_COLUMNS } from "@/lib/catalogue/sp-campaigns";
import {
  createReportOk,
  DAILY_COLUMNS,
  fetchToken,
  pollToEnd,
  reportBody,
  startTestSimulator,
} from "../../tools/amazon-ads-simulator/test-support";
import type { Scenario, Simulator } from "../../tools/amazon-ads-simulator/types";
import { copyRows } from "../support/report-copy";

const [DATE, CAMPAIGN_ID] = KEY_COLUMNS.map((c) => c.api) as [string, string];
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const drainOrClose = (res: http.ServerResponse) =>
  new Promise<void>((resolve) => {
    const done = () => {
      res.off("drain", done).off("close", done);
      resolve();
    };
    res.on("drain", done).on("close", done);
  });

describe("backpressure and early exit", () => {
  it("a stalled consumer holds the download back, and leaving early closes the connection", async () => {
    const row = `{"${DATE}":"2026-01-31","${CAMPAIGN_ID}":1234567,"cost":"1.25","campaignName":"${"x".repeat(150)}"}`;
    const body = Buffer.from(`[${Array(200_000).fill(row).join(",")}]`); // 45 MB
    let written = 0;
    let closed = false;
    const server = http.createServer(async (_req, res) => {
      res.writeHead(200, { "content-length": body.length });
      res.on("close", () => (closed = true));
      for (let at = 0; at < body.length && !closed; at += 65_536) {
        const more = res.write(body.subarray(at, at + 65_536));
        written = Math.min(body.length, at + 65_536);
        if (!more) await drainOrClose(res);
      }
      res.end();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
      const pieces = streamReportCopy(url, { rowsPerPiece: 100, readAheadRows: 1_000 });
      expect((await pieces.next()).value).toMatchObject({ rows: 100 });
      await sleep(500);
      // Socket buffers and 1,000 rows of read-ahead, not the file (measured: ~4 MB).
      expect(written).toBeLessThan(body.length / 4);
      await pieces.return(undefined);
      for (let waited = 0; !closed && waited < 2000; waited += 20) await sleep(20);
      expect(closed).toBe(true);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe("the simulator's download faults, through the download path", () => {
  let sim: Simulator;
  afterEach(async () => {
    await sim?.close();
  });

  async function reportUrl(scenario: Partial<Scenario>): Promise<string> {
    sim = await startTestSimulator({ scenario });
    const token = await fetchToken(sim);
    const { reportId } = await createReportOk(sim, token, reportBody());
    const { report } = await pollToEnd(sim, token, reportId);
    return report.url!;
  }

  async function read(url: string): Promise<ReportRow[] | AmazonError> {
    try {
      return await copyRows(url);
    } catch (error) {
      if (error instanceof AmazonError) return error;
      throw error;
    }
  }

  const expectedCount = () =>
    sim.expectedRows(sim.reports()[0]!.profileId, "2025-06-10", "2025-06-14", DAILY_COLUMNS).length;

  it.each([
    [{ download5xx: { count: 1 } }, { reason: "server", status: 503, code: "SlowDown" }],
    [{ download5xx: { count: 1, status: 500 } }, { reason: "server", status: 500, code: "InternalError" }],
    [{ downloadReset: { count: 1 } }, { reason: "truncated", status: 200 }],
    [{ downloadTruncate: { count: 1 } }, { reason: "truncated", status: 200 }],
  ] as const)("%j: a transient download failure, then the whole file", async (scenario, expected) => {
    const url = await reportUrl(scenario);
    expect(await read(url)).toMatchObject({ kind: "download", transient: true, ...expected });
    const rows = await read(url);
    expect(Array.isArray(rows) && rows.length).toBe(expectedCount());
  });

  it("expireUrlOnce: url_expired, not transient", async () => {
    const url = await reportUrl({ expireUrlOnce: true });
    expect(await read(url)).toMatchObject({ kind: "download", transient: false, reason: "url_expired", status: 403 });
  });

  it("corruptDates: a data failure (the whole object arrived, it is truncated gzip)", async () => {
    const url = await reportUrl({ corruptDates: ["2025-06-10"] });
    const error = await read(url);
    expect(error).toMatchObject({ kind: "data", transient: false, reason: "corrupt" });
    expect((error as AmazonError).message).toMatch(/^The report file is corrupt or truncated: /);
  });

  it("emptyDates: a gzipped [] is no rows, not a failure", async () => {
    expect(await read(await reportUrl({ emptyDates: ["2025-06-10"] }))).toEqual([]);
  });
});
