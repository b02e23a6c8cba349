import { describe, expect, it } from "vitest";
import { gunzipSync } from "node:zlib";
import {
  completedReport,
  downloadBytes,
  fetchToken,
  getReport,
  reportBody,
  startSimWithReport,
  type AsyncReport,
} from "./test-prelude";

function xmlField(xml: string, name: string): string | undefined {
  return new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml)?.[1];
}

describe("S3 presigned download", () => {
  it("serves the raw .json.gz bytes as application/octet-stream without Content-Encoding", async () => {
    const { report } = await startSimWithReport();
    const { response, bytes } = await downloadBytes(report.url!);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/octet-stream");
    expect(response.headers.get("content-encoding")).toBeNull();
    expect(Number(response.headers.get("content-length"))).toBe(report.fileSize);
    expect(bytes.subarray(0, 2).toString("hex")).toBe("1f8b");
    const rows = JSON.parse(gunzipSync(bytes).toString("utf8")) as unknown[];
    expect(Array.isArray(rows)).toBe(true);
    expect(rows.length).toBeGreaterThan(0);
  });

  it("rejects a request carrying an Authorization header with S3's 400 InvalidArgument XML", async () => {
    const { token, report } = await startSimWithReport();
    const { response, bytes } = await downloadBytes(report.url!, { headers: { authorization: `Bearer ${token}` } });
    expect(response.status).toBe(400);
    expect(response.headers.get("content-type")).toBe("application/xml");
    const xml = bytes.toString("utf8");
    expect(xmlField(xml, "Code")).toBe("InvalidArgument");
    expect(xmlField(xml, "Message")).toBe(
      "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified",
    );
  });

  it("rejects a tampered signature or date with 403 SignatureDoesNotMatch, and a bare key with 403 AccessDenied", async () => {
    const { report } = await startSimWithReport();
    const tampered = new URL(report.url!);
    tampered.searchParams.set("X-Amz-Signature", "0".repeat(64));
    const badSignature = await downloadBytes(tampered.toString());
    expect(badSignature.response.status).toBe(403);
    expect(xmlField(badSignature.bytes.toString(), "Code")).toBe("SignatureDoesNotMatch");

    const laterDate = new URL(report.url!);
    laterDate.searchParams.set("X-Amz-Date", "20300101T000000Z");
    expect(xmlField((await downloadBytes(laterDate.toString())).bytes.toString(), "Code")).toBe(
      "SignatureDoesNotMatch",
    );

    const bare = new URL(report.url!);
    const unsigned = await downloadBytes(`${bare.origin}${bare.pathname}`);
    expect(unsigned.response.status).toBe(403);
    expect(xmlField(unsigned.bytes.toString(), "Code")).toBe("AccessDenied");
  });

  it("answers 403 'Request has expired' once X-Amz-Expires has passed; a new GET of the report gives a working URL", async () => {
    let now = new Date("2025-06-15T12:00:00Z");
    const { sim, token, report } = await startSimWithReport({ now: () => now });
    const { reportId } = report;
    now = new Date("2025-06-15T12:59:58Z");
    expect((await downloadBytes(report.url!)).response.status).toBe(200);
    now = new Date("2025-06-15T13:00:00Z");
    const expired = await downloadBytes(report.url!);
    expect(expired.response.status).toBe(403);
    const xml = expired.bytes.toString();
    expect(xmlField(xml, "Code")).toBe("AccessDenied");
    expect(xmlField(xml, "Message")).toBe("Request has expired");
    expect(xmlField(xml, "Expires")).toBe("2025-06-15T12:59:59Z");

    // The access token from 12:00 has expired too; a client refreshes it before polling again.
    expect((await getReport(sim, token, reportId)).status).toBe(401);
    const refreshed = (await (await getReport(sim, await fetchToken(sim), reportId)).json()) as AsyncReport;
    expect(refreshed.urlExpiresAt).toBe("2025-06-15T14:00:00.000Z");
    expect((await downloadBytes(refreshed.url!)).response.status).toBe(200);
  });

  it("expireUrlOnce: the first attempt (and that URL) is expired, a fresh URL from the next GET works", async () => {
    const { sim, token, report } = await startSimWithReport({ scenario: { expireUrlOnce: true } });
    const first = await downloadBytes(report.url!);
    expect(first.response.status).toBe(403);
    expect(xmlField(first.bytes.toString(), "Message")).toBe("Request has expired");
    expect((await downloadBytes(report.url!)).response.status).toBe(403);
    const again = (await (await getReport(sim, token, report.reportId)).json()) as AsyncReport;
    const second = await downloadBytes(again.url!);
    expect(second.response.status).toBe(200);
    expect(second.bytes.length).toBe(again.fileSize);
  });

  it("emptyDates: COMPLETED with fileSize 22 and a gzipped []", async () => {
    const { report } = await startSimWithReport({ scenario: { emptyDates: ["2025-06-10"] } });
    expect(report.fileSize).toBe(22);
    const { bytes } = await downloadBytes(report.url!);
    expect(bytes.length).toBe(22);
    expect(gunzipSync(bytes).toString("utf8")).toBe("[]");
  });

  it("corruptDates: COMPLETED but the object is truncated gzip that cannot be decompressed", async () => {
    const { sim, token, report } = await startSimWithReport({ scenario: { corruptDates: ["2025-06-10"] } });
    const { response, bytes } = await downloadBytes(report.url!);
    expect(response.status).toBe(200);
    expect(bytes.length).toBe(report.fileSize);
    expect(bytes.subarray(0, 2).toString("hex")).toBe("1f8b");
    expect(() => gunzipSync(bytes)).toThrow();

    // The untouched report for the same range is twice as long (plus rounding).
    sim.setScenario({ corruptDates: [] });
    const clean = reportBody({ startDate: "2025-06-10", name: "clean", configuration: { timeUnit: "DAILY" } });
    const cleanReport = await completedReport(sim, token, clean);
    expect(Math.floor(cleanReport.fileSize! / 2)).toBe(report.fileSize);
  });
});
