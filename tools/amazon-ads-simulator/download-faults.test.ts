import { describe, expect, it } from "vitest";
import { gunzipSync } from "node:zlib";
import { SIM_DEFAULT_PROFILES } from "./defaults";
import { downloadBytes, reportBody, startSimWithReport, type AsyncReport } from "./test-prelude";

/** Reads a body chunk by chunk: the bytes that arrived and the error that ended it, if any. */
async function readBody(response: Response): Promise<{ bytes: number; error: unknown }> {
  const reader = response.body!.getReader();
  let bytes = 0;
  try {
    for (let next = await reader.read(); !next.done; next = await reader.read()) bytes += next.value.length;
    return { bytes, error: null };
  } catch (error) {
    return { bytes, error };
  }
}

const causeCode = (error: unknown) => (error as { cause?: { code?: string } }).cause?.code;

async function expectWholeFile(report: AsyncReport): Promise<void> {
  const { response, bytes } = await downloadBytes(report.url!);
  expect(response.status).toBe(200);
  expect(bytes.length).toBe(report.fileSize);
  expect((JSON.parse(gunzipSync(bytes).toString("utf8")) as unknown[]).length).toBeGreaterThan(0);
}

describe("download faults", () => {
  it("download5xx: the next N downloads get S3's 503 SlowDown XML (or the given status), then the file", async () => {
    const { sim, report } = await startSimWithReport({ scenario: { download5xx: { count: 2 } } });
    for (let i = 0; i < 2; i++) {
      const { response, bytes } = await downloadBytes(report.url!);
      expect(response.status).toBe(503);
      expect(response.headers.get("content-type")).toBe("application/xml");
      expect(bytes.toString()).toMatch(
        /<Error><Code>SlowDown<\/Code><Message>Please reduce your request rate\.<\/Message>/,
      );
    }
    expect(sim.scenario().download5xx.count).toBe(0);
    await expectWholeFile(report);

    sim.setScenario({ download5xx: { count: 1, status: 500 } });
    const { response, bytes } = await downloadBytes(report.url!);
    expect(response.status).toBe(500);
    expect(bytes.toString()).toContain("<Code>InternalError</Code>");
    await expectWholeFile(report);
  });

  it("downloadReset: a 200 with the headers, then the connection is reset before the body; then the file", async () => {
    const { sim, report } = await startSimWithReport({ scenario: { downloadReset: { count: 1 } } });
    const response = await fetch(report.url!);
    expect(response.status).toBe(200);
    expect(Number(response.headers.get("content-length"))).toBe(report.fileSize);
    const { bytes, error } = await readBody(response);
    expect(bytes).toBe(0);
    expect((error as Error).message).toBe("terminated");
    expect(causeCode(error)).toBe("ECONNRESET");
    expect(sim.scenario().downloadReset.count).toBe(0);
    await expectWholeFile(report);
  });

  it("downloadTruncate: the full Content-Length, half the bytes, then the connection closes; then the file", async () => {
    const { sim, report } = await startSimWithReport({ scenario: { downloadTruncate: { count: 2 } } });
    for (let i = 0; i < 2; i++) {
      const response = await fetch(report.url!);
      expect(response.status).toBe(200);
      expect(Number(response.headers.get("content-length"))).toBe(report.fileSize);
      const { bytes, error } = await readBody(response);
      expect(bytes).toBe(Math.floor(report.fileSize! / 2));
      expect((error as Error).message).toBe("terminated");
      expect(causeCode(error)).toBe("UND_ERR_SOCKET");
    }
    expect(sim.scenario().downloadTruncate.count).toBe(0);
    await expectWholeFile(report);
  });

  it("downloadTruncate also cuts a file too big to keep in memory (regenerated as a stream)", async () => {
    const options = {
      profiles: [{ ...SIM_DEFAULT_PROFILES[0]!, campaigns: 20_000 }],
      scenario: { downloadTruncate: { count: 1 } },
    };
    const { report } = await startSimWithReport(options, reportBody({ startDate: "2025-06-14" }));
    expect(report.fileSize).toBeGreaterThan(2 * 1024 * 1024);
    const { bytes, error } = await readBody(await fetch(report.url!));
    expect(bytes).toBe(Math.floor(report.fileSize! / 2));
    expect((error as Error).message).toBe("terminated");
  });
});
