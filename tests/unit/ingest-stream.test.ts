// streamReportCopy, the PostgreSQL collect's download path: over HTTP it gives the rows and the
// failures streamReportRows gives (same kinds, same messages), its read-ahead is bounded (a stalled
// consumer holds the download back), and leaving early closes the connection.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isAmazonError } from "@/lib/amazon/errors";
import { streamReportCopy, streamReportRows } from "@/lib/amazon-ads/report-file/read-report";
import { COLUMNS } from "@/lib/catalogue/sp-campaigns";

const bodies = new Map<string, Buffer>();
let written = 0;
let closed = false;
const server = http.createServer(async (req, res) => {
  const body = bodies.get(req.url ?? "") ?? Buffer.alloc(0);
  written = 0;
  closed = false;
  res.on("close", () => (closed = true));
  res.writeHead(200, { "content-length": body.length });
  if (req.url?.startsWith("/cut")) return res.write(body.subarray(0, body.length >> 1), () => res.destroy());
  for (let at = 0; at < body.length && !closed; at += 65_536) {
    written = Math.min(body.length, at + 65_536);
    if (!res.write(body.subarray(at, at + 65_536)))
      await new Promise<void>((resolve) => {
        const done = () => (res.off("drain", done).off("close", done), resolve());
        res.on("drain", done).on("close", done);
      });
  }
  res.end();
});
let base = "";
beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => {
  server.closeAllConnections();
  return new Promise<void>((resolve) => server.close(() => resolve()));
});

const serve = (path: string, body: Buffer) => (bodies.set(path, body), `${base}${path}`);
const row = (id: number, name = "n") => `{"date":"2026-01-31","campaignId":${id},"cost":1.25,"campaignName":"${name}"}`;

/** Rows as PostgreSQL will read them, or the failure's kind and message. */
async function outcome(url: string, copy: boolean): Promise<unknown> {
  try {
    const rows: Array<Array<string | null>> = [];
    if (copy)
      for await (const p of streamReportCopy(url, { rowsPerPiece: 3, readAheadRows: 6 }))
        for (const line of p.text.toString().split("\n").slice(0, -1))
          rows.push(line.split("\t").map((f) => (f === "\\N" ? null : f)));
    else
      for await (const batch of streamReportRows(url, { batchSize: 3 }))
        for (const r of batch) rows.push(COLUMNS.map((c) => r[c.api] ?? null));
    return rows;
  } catch (error) {
    return {
      kind: isAmazonError(error) ? `${error.kind}/${error.reason}` : "not an AmazonError",
      message: (error as Error).message,
    };
  }
}

describe("streamReportCopy over HTTP", () => {
  it("loads and fails as streamReportRows does", async () => {
    const good = `[${[1, 2, 3, 4, 5, 6, 7].map((id) => row(id)).join(",")}]`;
    const cases: Array<[string, Buffer]> = [
      ["/gzip", gzipSync(good)],
      ["/plain", Buffer.from(good)],
      ["/empty", Buffer.alloc(0)],
      ["/empty-array", gzipSync("[]")],
      ["/not-json", gzipSync("<Error>nope</Error>")],
      ["/bad-row", gzipSync(`[${row(1)},{"date":"2026-01-31","campaignId":2,"clicks":"x"}]`)],
      ["/truncated-gzip", gzipSync(good).subarray(0, 40)],
      ["/cut-gzip", gzipSync(`[${Array.from({ length: 20_000 }, (_, i) => row(i, `name ${i}`)).join(",")}]`)],
    ];
    for (const [path, body] of cases) {
      const url = serve(path, body);
      const rows = await outcome(url, false);
      expect(await outcome(url, true), path).toEqual(rows);
    }
    expect(await outcome(`${base}/gzip`, true)).toHaveLength(7);
    expect(await outcome(`${base}/cut-gzip`, true)).toMatchObject({ kind: "download/truncated" });
    expect(await outcome(`${base}/bad-row`, true)).toMatchObject({ kind: "data/invalid_row" });
  });

  it("a stalled consumer holds the download back, and leaving early closes the connection", async () => {
    const body = Buffer.from(
      `[${Array(200_000)
        .fill(row(1234567, "x".repeat(150)))
        .join(",")}]`,
    ); // 45 MB
    const pieces = streamReportCopy(serve("/big", body), { rowsPerPiece: 100, readAheadRows: 1_000 });
    expect((await pieces.next()).value).toMatchObject({ rows: 100 });
    await new Promise((resolve) => setTimeout(resolve, 500));
    // Socket buffers and 1,000 rows of read-ahead, not the file.
    expect(written).toBeLessThan(body.length / 4);
    await pieces.return(undefined);
    for (let waited = 0; !closed && waited < 2000; waited += 20)
      await new Promise((resolve) => setTimeout(resolve, 20));
    expect(closed).toBe(true);
  });
});
