// How the report download (read-report.ts streamReportCopy) names each way a report download can fail, against a real HTTP server on
// 127.0.0.1 (no fetch mocks): the collect phase retries on `transient`, fetches a fresh URL on
// reason "url_expired", and fails the report on anything else. A body cut short by the network is
// a download failure to retry; bytes that arrived whole but cannot be read are bad data.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AmazonError } from "@/lib/amazon/errors";
import { interruptedDownload } from "@/lib/amazon-ads/report-file/fetch-report";
import type { ReportRow } from "@/lib/amazon-ads/report-file/read-report";
import { KEY_COLUMNS } from "@/lib/catalogue/sp-campaigns";
import { copyRows } from "../support/report-copy";

const [DATE, CAMPAIGN_ID] = KEY_COLUMNS.map((c) => c.api) as [string, string];
const row = (i: number) => `{"${DATE}":"2026-01-31","${CAMPAIGN_ID}":${1000 + i},"cost":"1.25","campaignName":"c${i}"}`;
const JSON_TEXT = `[${Array.from({ length: 5000 }, (_, i) => row(i)).join(",")}]`;
const GZIP = gzipSync(JSON_TEXT);

const s3Xml = (code: string, message: string) =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message><RequestId>R</RequestId></Error>`;

type Route = (req: http.IncomingMessage, res: http.ServerResponse) => void;
const xml =
  (status: number, code: string, message: string, headers: Record<string, string> = {}): Route =>
  (_req, res) => {
    res.writeHead(status, { "content-type": "application/xml", ...headers });
    res.end(s3Xml(code, message));
  };
const whole =
  (body: Buffer | string): Route =>
  (_req, res) => {
    res.writeHead(200, { "content-type": "application/octet-stream", "content-length": Buffer.byteLength(body) });
    res.end(body);
  };
/** The full Content-Length, then only the first half of the bytes, then the connection closes. */
const cutShort =
  (body: Buffer): Route =>
  (_req, res) => {
    res.writeHead(200, { "content-length": body.length });
    res.write(body.subarray(0, body.length >> 1), () => res.socket?.end());
  };

const ROUTES: Record<string, Route> = {
  "/slowdown": xml(503, "SlowDown", "Please reduce your request rate."),
  "/internal": xml(500, "InternalError", "We encountered an internal error. Please try again."),
  "/throttled": xml(429, "TooManyRequests", "Slow down", { "retry-after": "3" }),
  "/expired": xml(403, "AccessDenied", "Request has expired"),
  "/expired-token": xml(400, "ExpiredToken", "The provided token has expired."),
  "/signature": xml(403, "SignatureDoesNotMatch", "The request signature we calculated does not match"),
  "/missing": xml(404, "NoSuchKey", "The specified key does not exist."),
  "/reset-before-answer": (req) => req.socket.resetAndDestroy(),
  "/reset-after-headers": (_req, res) => {
    res.writeHead(200, { "content-length": GZIP.length });
    res.flushHeaders();
    setTimeout(() => res.socket?.resetAndDestroy(), 30);
  },
  "/gzip-cut-short": cutShort(GZIP),
  "/plain-cut-short": cutShort(Buffer.from(JSON_TEXT)),
  "/gzip-whole-but-truncated": whole(GZIP.subarray(0, GZIP.length >> 1)),
  "/empty": whole(""),
  "/gzip-garbage": whole(Buffer.concat([Buffer.from([0x1f, 0x8b]), Buffer.from("definitely not deflate data")])),
  "/html": whole("<html><body>Service Unavailable</body></html>"),
  "/bad-value": whole(`[${row(1)},{"${DATE}":"2026-01-31","${CAMPAIGN_ID}":2,"cost":"12,50"}]`),
  "/ok": whole(GZIP),
};

const server = http.createServer((req, res) => (ROUTES[req.url ?? ""] ?? whole("[]"))(req, res));
let base = "";
let closedPort = 0;
beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const spare = http.createServer();
  await new Promise<void>((resolve) => spare.listen(0, "127.0.0.1", resolve));
  closedPort = (spare.address() as AddressInfo).port;
  await new Promise<void>((resolve) => spare.close(() => resolve()));
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

/** Reads the whole report: its rows, or the failure. */
async function read(url: string): Promise<{ rows: ReportRow[]; error: AmazonError | null }> {
  try {
    return { rows: await copyRows(url), error: null };
  } catch (error) {
    expect(error).toBeInstanceOf(AmazonError);
    return { rows: [], error: error as AmazonError };
  }
}

async function failure(path: string) {
  const { error } = await read(`${base}${path}`);
  expect(error, path).not.toBeNull();
  const { kind, transient, reason, status, code, retryAfterMs, message } = error!;
  return { kind, transient, reason, status, code, retryAfterMs, message };
}

describe("report download failures: kind, transient, reason", () => {
  it("S3 5xx and 429 are transient download failures", async () => {
    expect(await failure("/slowdown")).toMatchObject({
      kind: "download",
      transient: true,
      reason: "server",
      status: 503,
      code: "SlowDown",
      message: "Downloading the report failed: HTTP 503 SlowDown (Please reduce your request rate.)",
    });
    expect(await failure("/internal")).toMatchObject({ kind: "download", transient: true, status: 500 });
    expect(await failure("/throttled")).toMatchObject({
      kind: "download",
      transient: true,
      reason: "throttled",
      status: 429,
      retryAfterMs: 3000,
    });
  });

  it("an expired URL asks for a fresh one (url_expired, not transient)", async () => {
    for (const path of ["/expired", "/expired-token"])
      expect(await failure(path)).toMatchObject({ kind: "download", transient: false, reason: "url_expired" });
    expect((await failure("/expired")).status).toBe(403);
    expect((await failure("/expired")).message).toBe(
      "Downloading the report failed: HTTP 403 AccessDenied (Request has expired)",
    );
  });

  it("other 4xx are download failures that retrying will not fix", async () => {
    expect(await failure("/signature")).toMatchObject({
      kind: "download",
      transient: false,
      reason: "rejected",
      status: 403,
      code: "SignatureDoesNotMatch",
    });
    expect(await failure("/missing")).toMatchObject({ kind: "download", transient: false, status: 404 });
  });

  it("no answer (refused, reset before the answer) is a transient network failure", async () => {
    expect(await failure("/reset-before-answer")).toMatchObject({
      kind: "download",
      transient: true,
      reason: "network",
    });
    const refused = await read(`http://127.0.0.1:${closedPort}/x`);
    expect(refused.error).toMatchObject({ kind: "download", transient: true, reason: "network" });
    expect(refused.error!.message).toContain("ECONNREFUSED");
  });

  it("a body the network cut short is a transient download failure, gzip or not", async () => {
    expect(await failure("/reset-after-headers")).toMatchObject({
      kind: "download",
      transient: true,
      reason: "truncated",
      status: 200,
    });
    for (const path of ["/gzip-cut-short", "/plain-cut-short"]) {
      // gunzip would call the gzip half "unexpected end of file": the body failed first, so it is the network's.
      const got = await failure(path);
      expect(got, path).toMatchObject({ kind: "download", transient: true, reason: "truncated", status: 200 });
      expect(got.message).toMatch(/before the whole file arrived \(terminated: (UND_ERR_SOCKET|ECONNRESET)\)/);
    }
  });

  it("a download that ran out of time is transient", () => {
    const timedOut = interruptedDownload(new DOMException("The operation was aborted due to timeout", "TimeoutError"));
    expect(timedOut).toMatchObject({ kind: "download", transient: true, reason: "timeout" });
  });

  it("bytes that arrived whole but cannot be read are data failures, not transient", async () => {
    expect(await failure("/empty")).toMatchObject({
      kind: "data",
      transient: false,
      reason: "empty",
      message: "The report file is empty (0 bytes)",
    });
    for (const path of ["/gzip-whole-but-truncated", "/gzip-garbage", "/html"]) {
      const got = await failure(path);
      expect(got, path).toMatchObject({ kind: "data", transient: false, reason: "corrupt" });
      expect(got.message).toMatch(/^The report file is corrupt or truncated: /);
    }
    expect((await failure("/gzip-whole-but-truncated")).message).toContain("unexpected end of file");
    expect(await failure("/bad-value")).toMatchObject({
      kind: "data",
      transient: false,
      reason: "invalid_row",
      message: 'Row 1: cost = "12,50" is not a valid numeric',
    });
  });

  it("a whole file reads to the end", async () => {
    const { rows, error } = await read(`${base}/ok`);
    expect(error).toBeNull();
    expect(rows).toHaveLength(5000);
    expect(rows[4999]).toEqual({ [DATE]: "2026-01-31", [CAMPAIGN_ID]: "5999", campaignName: "c4999", cost: "1.25" });
  });
});
