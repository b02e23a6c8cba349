// The COPY encoder (src/lib/amazon-ads/report-file/copy-encoder.ts) turns report bytes into COPY text
// for PostgreSQL without the string parser (json-array-parser.ts, itself held to stream-json by
// report-parser.test.ts), except for the rows it hands to it. Here it is held to that parser, exactly:
// the same values per row once the COPY text is read back as PostgreSQL reads it, the same columns
// present per piece, the same unknown keys, and on bad input the same error and message. Inputs:
// hand-made edge cases (escapes, unicode, invalid UTF-8, numbers, repeated keys), every truncation and
// thousands of random corruptions of a small file, thousands of random rows, and a real simulator
// report; each fed whole, byte by byte and in random pieces (a network chunk may end anywhere).
import { describe, expect, it, vi } from "vitest";
import { isAmazonError } from "@/lib/amazon/errors";
import { ReportCopyEncoder } from "@/lib/amazon-ads/report-file/copy-encoder";
import type { CopyPiece } from "@/lib/amazon-ads/report-file/copy-text";
import { ReportArrayParser } from "@/lib/amazon-ads/report-file/json-array-parser";
import { COLUMNS } from "@/lib/catalogue/sp-campaigns";
import {
  fetchReportText,
  fetchToken,
  reportBody,
  startTestSimulator,
} from "../../tools/amazon-ads-simulator/test-support";
import { CASES, fuzzFile, mutations, SMALL } from "./ingest-encoder-cases";

type Piece = { rows: number; values: Array<Array<string | null>>; present: string[] };
type Outcome = { pieces: Piece[]; unknown: string[] } | { error: string; message: string };

const errorKind = (error: unknown) => (isAmazonError(error) ? error.kind : (error as Error).name);
const presentNames = (present: ArrayLike<number>) => COLUMNS.filter((_, i) => present[i]).map((c) => c.api);

/** COPY text as PostgreSQL reads it (text format, tab, \N): one array of values per line. */
function readCopy(text: Buffer): Array<Array<string | null>> {
  const lines = text.toString("utf8").split("\n");
  expect(lines.pop()).toBe(""); // every line ends with a newline
  return lines.map((line) => {
    const fields = line.split("\t");
    expect(fields).toHaveLength(COLUMNS.length);
    return fields.map((f) => {
      if (f === "\\N") return null;
      expect(f).not.toMatch(/\\[0-7x]/); // the encoder never writes octal or hex escapes
      return f.replace(/\\(.)/gs, (_, c: string) => ({ b: "\b", f: "\f", n: "\n", r: "\r", t: "\t", v: "\v" })[c] ?? c);
    });
  });
}

/** A value as PostgreSQL receives it from either path: UTF-8, so a lone surrogate arrives as U+FFFD. */
const asSent = (v: string | null | undefined) => (v === null || v === undefined ? null : Buffer.from(v).toString());

/** The string parser over the whole text, its rows cut into pieces as the encoder cuts them. */
function reference(bytes: Buffer, rowsPerPiece: number): Outcome {
  const unknown = new Set<string>();
  const rows: Array<Record<string, string | null>> = [];
  try {
    const parser = new ReportArrayParser(unknown);
    parser.feed(bytes.toString("utf8"), (r) => rows.push(r));
    parser.end((r) => rows.push(r));
  } catch (error) {
    return { error: errorKind(error), message: (error as Error).message };
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
    const encoder = new ReportCopyEncoder((p) => pieces.push(p), rowsPerPiece, unknown);
    let at = 0;
    for (const n of [...cuts(bytes.length), bytes.length]) {
      encoder.feed(bytes.subarray(at, Math.max(at, n)));
      at = Math.max(at, n);
    }
    encoder.end();
  } catch (error) {
    return { error: errorKind(error), message: (error as Error).message };
  }
  const out = pieces.map((p) => ({ rows: p.rows, values: readCopy(p.text), present: presentNames(p.present) }));
  for (const p of out) expect(p.values).toHaveLength(p.rows);
  return { pieces: out, unknown: [...unknown].sort() };
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

function check(
  label: string,
  body: Buffer | string,
  failures: string[],
  chunkings = [WHOLE, RANDOM_PIECES],
  rowsPerPiece = 1 + random(3),
): Outcome {
  const bytes = typeof body === "string" ? Buffer.from(body) : body;
  const expected = reference(bytes, rowsPerPiece);
  for (const cuts of chunkings) {
    const actual = encoded(bytes, cuts, rowsPerPiece);
    if (JSON.stringify(actual) !== JSON.stringify(expected))
      failures.push(
        `${label} (${cuts.name}): ${bytes.toString("utf8").slice(0, 200)}\n  parser:  ${JSON.stringify(expected).slice(0, 400)}\n  encoder: ${JSON.stringify(actual).slice(0, 400)}`,
      );
  }
  return expected;
}

describe("COPY encoder, held to the string parser", () => {
  it("agrees on hand-made edge cases, fed whole, byte by byte and in random pieces", () => {
    const failures: string[] = [];
    let loaded = 0;
    for (const [i, body] of CASES.entries())
      if ("pieces" in check(`case ${i}`, body, failures, [WHOLE, BYTE_BY_BYTE, RANDOM_PIECES])) loaded++;
    expect(failures).toEqual([]);
    expect(loaded).toBeGreaterThan(20); // the cases load rows as well as refuse files
  });

  it("agrees on every truncation and 5,000 random corruptions of a small file", () => {
    const failures: string[] = [];
    for (let cut = 0; cut <= SMALL.length; cut++) check(`truncated at ${cut}`, SMALL.subarray(0, cut), failures);
    for (const [i, body] of mutations(SMALL, 5000, random).entries()) check(`mutation ${i}`, body, failures);
    expect(failures).toEqual([]);
  }, 120_000);

  it("agrees on 3,000 files of random rows (every column type, valid and not, escapes, unicode, spacing)", () => {
    const failures: string[] = [];
    let loaded = 0;
    let rows = 0;
    const slow = vi.spyOn(ReportArrayParser.prototype, "elementAt");
    for (let i = 0; i < 3000; i++) {
      const expected = check(`random file ${i}`, fuzzFile(random), failures);
      if ("pieces" in expected) loaded++;
      if ("pieces" in expected) for (const p of expected.pieces) rows += p.rows;
    }
    const parsed = slow.mock.calls.length;
    slow.mockRestore();
    expect(failures).toEqual([]);
    expect(loaded).toBeGreaterThan(1000);
    expect(parsed / (2 * rows)).toBeLessThan(0.5); // most rows were the fast path's to get right
  }, 120_000);

  it("agrees on a real simulator report, and copies its plain rows without the string parser", async () => {
    const sim = await startTestSimulator();
    try {
      const text = Buffer.from(await fetchReportText(sim, await fetchToken(sim), reportBody()));
      const failures: string[] = [];
      const expected = check("simulator report", text, failures, [WHOLE, RANDOM_PIECES]);
      expect(failures).toEqual([]);
      expect("pieces" in expected && expected.pieces.length).toBeGreaterThan(3);
      // Quotes, backslashes and emoji in names, shuffled keys, nulls: all on the fast path.
      const slow = vi.spyOn(ReportArrayParser.prototype, "elementAt");
      encoded(text, WHOLE, 1000);
      expect(slow).not.toHaveBeenCalled();
      slow.mockRestore();
    } finally {
      await sim.close();
    }
  });

  it("a value larger than the output buffer still lands whole", () => {
    const name = 'é\\\\\\"x'.repeat(300_000); // ~1.5 MB of COPY text in one field, escapes included
    const body = `[{"date":"2025-06-14","campaignId":1,"campaignName":"${name}"},{"date":"2025-06-14","campaignId":2}]`;
    const failures: string[] = [];
    check("huge value", body, failures, [WHOLE, RANDOM_PIECES], 1); // a piece per row: the reference cuts no other way
    expect(failures).toEqual([]);
  });
});
