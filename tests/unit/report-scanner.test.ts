// The report scanner (src/lib/amazon-ads/report-file/copy-encoder.ts) turns report bytes into COPY
// text: plain rows byte for byte, odd elements whole through JSON.parse (validate-row.ts
// parseElement). It replaced stream-json for speed (docs/benchmarks.md), and here it is held to
// stream-json (with row validation of its own, tests/support/stream-json-reference.ts): the same values
// per row once the COPY text is read back as PostgreSQL reads it, the same columns present per piece,
// the same unknown keys, and a failure wherever stream-json failed, of the same kind and, for row-level
// checks, the same message (syntax errors need only agree on "corrupt or truncated"). Inputs: hand-made
// edge cases (escapes, unicode, invalid UTF-8, numbers, repeated keys), every truncation and thousands
// of random corruptions of a small file, thousands of random rows, and a real simulator report; each
// fed whole, byte by byte and in random pieces (a network chunk may end anywhere), and the hand-made
// cases also through the app's whole download path, plain and gzipped.
import { gzipSync } from "node:zlib";
import { describe, expect, it, vi } from "vitest";
import { isAmazonError } from "@/lib/amazon/errors";
import { ReportCopyEncoder } from "@/lib/amazon-ads/report-file/copy-encoder";
import type { CopyPiece } from "@/lib/amazon-ads/report-file/copy-text";
import type { ReportRow } from "@/lib/amazon-ads/report-file/read-report";
import { COLUMNS } from "@/lib/catalogue/sp-campaigns";
import {
  fetchReportText,
  fetchToken,
  reportBody,
  startTestSimulator,
} from "../../tools/amazon-ads-simulator/test-support";
import { setupFileServer } from "../support/file-server";
import { copyRows, readCopy } from "../support/report-copy";
import { referenceReportRows } from "../support/stream-json-reference";
import { CASES, fuzzFile, mutations, SMALL } from "./report-cases";

type Piece = { rows: number; values: Array<Array<string | null>>; present: string[] };
type Failure = { error: string; message: string };
type Outcome = { pieces: Piece[]; unknown: string[] } | Failure;

const CORRUPT = "The report file is corrupt or truncated:";
const presentNames = (present: ArrayLike<number>) => COLUMNS.filter((_, i) => present[i]).map((c) => c.api);
/** A value as PostgreSQL receives it: UTF-8, so a lone surrogate arrives as U+FFFD. */
const asSent = (v: string | null | undefined) => (v === null || v === undefined ? null : Buffer.from(v).toString());

/** A failure as read-report.ts names it: an AmazonError as it is, the scanner's syntax error as "corrupt"; a bug by its name. */
function failure(error: unknown): Failure {
  const message = (error as Error).message;
  if (isAmazonError(error)) return { error: error.kind, message };
  if ((error as Error).constructor === Error) return { error: "data", message: `${CORRUPT} ${message}` };
  return { error: (error as Error).name, message };
}

/** stream-json over the whole file, its rows cut into pieces as the encoder cuts them. */
async function reference(bytes: Buffer, rowsPerPiece: number): Promise<Outcome> {
  const unknown = new Set<string>();
  let rows: ReportRow[];
  try {
    rows = await referenceReportRows(bytes, unknown);
  } catch (error) {
    return failure(error);
  }
  const pieces: Piece[] = [];
  for (let i = 0; i < rows.length; i += rowsPerPiece) {
    const batch = rows.slice(i, i + rowsPerPiece);
    pieces.push({
      rows: batch.length,
      values: batch.map((r) => COLUMNS.map((c) => asSent(r[c.api]))),
      present: COLUMNS.filter((c) => batch.some((r) => Object.hasOwn(r, c.api))).map((c) => c.api),
    });
  }
  return { pieces, unknown: [...unknown].sort() };
}

function encoded(bytes: Buffer, cuts: (length: number) => number[], rowsPerPiece: number): Outcome {
  const unknown = new Set<string>();
  const pieces: CopyPiece[] = [];
  try {
    if (bytes.length === 0) throw new Error("empty"); // read-report.ts refuses an empty file before the encoder
    const encoder = new ReportCopyEncoder((p) => pieces.push(p), rowsPerPiece, unknown);
    let at = 0;
    for (const n of [...cuts(bytes.length), bytes.length]) {
      encoder.feed(bytes.subarray(at, Math.max(at, n)));
      at = Math.max(at, n);
    }
    encoder.end();
  } catch (error) {
    return failure(error);
  }
  const out = pieces.map((p) => ({ rows: p.rows, values: readCopy(p.text), present: presentNames(p.present) }));
  for (const p of out) expect(p.values).toHaveLength(p.rows);
  return { pieces: out, unknown: [...unknown].sort() };
}

const validJson = (bytes: Buffer) => {
  try {
    JSON.parse(bytes.toString("utf8").replace(/^\ufeff/, ""));
    return true;
  } catch {
    return false;
  }
};
/** A file with both a syntax error and a bad row may fail on either first; both refuse it as "data". */
function same(expected: Outcome, actual: Outcome, bytes: Buffer): boolean {
  if ("pieces" in expected || "pieces" in actual) return JSON.stringify(expected) === JSON.stringify(actual);
  if (expected.error !== actual.error) return false;
  if (expected.error === "data" && !validJson(bytes)) return true;
  if (expected.message.startsWith("The report file is empty")) return true;
  return expected.message.startsWith(CORRUPT)
    ? actual.message.startsWith(CORRUPT)
    : expected.message === actual.message;
}

/** mulberry32: deterministic, and unlike a plain LCG's low bits, independent from one call to the next. */
let seed = 7;
const random = (n: number) => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) % n;
};
const WHOLE = () => [];
const BYTE_BY_BYTE = (length: number) => Array.from({ length }, (_, i) => i);
const RANDOM_PIECES = (length: number) => {
  const cuts: number[] = [];
  for (let at = 1 + random(9); at < length; at += 1 + random(random(2) ? 9 : 300)) cuts.push(at);
  return cuts;
};

async function check(
  label: string,
  body: Buffer | string,
  failures: string[],
  chunkings = [WHOLE, RANDOM_PIECES],
  rowsPerPiece = 1 + random(3),
): Promise<Outcome> {
  const bytes = typeof body === "string" ? Buffer.from(body) : body;
  const expected = await reference(bytes, rowsPerPiece);
  for (const cuts of chunkings) {
    const actual = encoded(bytes, cuts, rowsPerPiece);
    if (!same(expected, actual, bytes))
      failures.push(
        `${label} (${cuts.name}): ${bytes.toString("utf8").slice(0, 200)}\n  stream-json: ${JSON.stringify(expected).slice(0, 400)}\n  ours:        ${JSON.stringify(actual).slice(0, 400)}`,
      );
  }
  return expected;
}

/** The slow path's calls: an element the fast path left to JSON.parse. */
const spyOnSlowPath = () =>
  vi.spyOn(ReportCopyEncoder.prototype as unknown as { parsedRow: () => number }, "parsedRow");

const files = setupFileServer();

/** Key order is not part of a row's meaning (rows come back in catalogue order). */
const canonical = (rows: ReportRow[]) =>
  JSON.stringify(
    rows.map((r) =>
      Object.fromEntries(
        Object.entries(r)
          .map(([k, v]) => [k, asSent(v)])
          .sort(([a], [b]) => (a! < b! ? -1 : 1)),
      ),
    ),
  );

/** The app's whole download path (HTTP, gzip detection, read-ahead) against stream-json, on rows. */
async function checkDownload(label: string, body: Buffer, plain: Buffer, failures: string[]): Promise<void> {
  const url = files.serve(body);
  const outcome = async (rows: (unknown: Set<string>) => Promise<ReportRow[]>) => {
    const unknown = new Set<string>();
    try {
      return { rows: canonical(await rows(unknown)), unknown: [...unknown].sort() };
    } catch (error) {
      return failure(error);
    }
  };
  const expected = await outcome((u) => referenceReportRows(body, u));
  const actual = await outcome((u) => copyRows(url, u));
  const agree =
    "rows" in expected || "rows" in actual
      ? JSON.stringify(expected) === JSON.stringify(actual)
      : same(expected, actual, plain);
  if (!agree)
    failures.push(
      `${label}: ${JSON.stringify(expected).slice(0, 300)}\n  ours: ${JSON.stringify(actual).slice(0, 300)}`,
    );
}

describe("report scanner, held to stream-json", () => {
  it("agrees on hand-made edge cases, fed whole, byte by byte and in random pieces", async () => {
    const failures: string[] = [];
    let loaded = 0;
    for (const [i, body] of CASES.entries())
      if ("pieces" in (await check(`case ${i}`, body, failures, [WHOLE, BYTE_BY_BYTE, RANDOM_PIECES]))) loaded++;
    expect(failures).toEqual([]);
    expect(loaded).toBeGreaterThan(20); // the cases load rows as well as refuse files
  });

  it("agrees on hand-made edge cases through the download path, plain and gzipped", async () => {
    const failures: string[] = [];
    for (const [i, body] of CASES.entries()) {
      const plain = typeof body === "string" ? Buffer.from(body) : body;
      await checkDownload(`case ${i}`, plain, plain, failures);
      await checkDownload(`case ${i} gzipped`, gzipSync(plain), plain, failures);
    }
    expect(failures).toEqual([]);
  });

  it("agrees on every truncation and 5,000 random corruptions of a small file", async () => {
    const failures: string[] = [];
    for (let cut = 0; cut <= SMALL.length; cut++) await check(`truncated at ${cut}`, SMALL.subarray(0, cut), failures);
    for (const [i, body] of mutations(SMALL, 5000, random).entries()) await check(`mutation ${i}`, body, failures);
    expect(failures).toEqual([]);
  }, 120_000);

  it("agrees on 3,000 files of random rows (every column type, valid and not, escapes, unicode, spacing)", async () => {
    const failures: string[] = [];
    let loaded = 0;
    let rows = 0;
    const slow = spyOnSlowPath();
    for (let i = 0; i < 3000; i++) {
      const expected = await check(`random file ${i}`, fuzzFile(random), failures);
      if ("pieces" in expected) loaded++;
      if ("pieces" in expected) for (const p of expected.pieces) rows += p.rows;
    }
    const parsed = slow.mock.results.filter((r) => r.value !== -1).length; // -1: waited for more bytes
    slow.mockRestore();
    expect(failures).toEqual([]);
    expect(loaded).toBeGreaterThan(1000);
    expect(parsed / (2 * rows)).toBeLessThan(0.5); // most rows were the fast path's to get right
  }, 120_000);

  it("agrees on a real simulator report, and copies its plain rows without JSON.parse", async () => {
    const sim = await startTestSimulator();
    try {
      const text = Buffer.from(await fetchReportText(sim, await fetchToken(sim), reportBody()));
      const failures: string[] = [];
      const expected = await check("simulator report", text, failures, [WHOLE, RANDOM_PIECES]);
      expect(failures).toEqual([]);
      expect("pieces" in expected && expected.pieces.length).toBeGreaterThan(3);
      // Quotes, backslashes and emoji in names, shuffled keys, nulls: all on the fast path.
      const slow = spyOnSlowPath();
      encoded(text, WHOLE, 1000);
      expect(slow.mock.results.filter((r) => r.value !== -1)).toEqual([]);
      slow.mockRestore();
    } finally {
      await sim.close();
    }
  });

  it("a value larger than the output buffer still lands whole", async () => {
    const name = 'é\\\\\\"x'.repeat(300_000); // ~1.5 MB of COPY text in one field, escapes included
    const body = `[{"date":"2025-06-14","campaignId":1,"campaignName":"${name}"},{"date":"2025-06-14","campaignId":2}]`;
    const failures: string[] = [];
    await check("huge value", body, failures, [WHOLE, RANDOM_PIECES], 1);
    expect(failures).toEqual([]);
  });
});
