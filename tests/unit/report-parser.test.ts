// The report parser (src/lib/amazon-ads/report-file/json-array-parser.ts) replaced stream-json for
// speed (docs/benchmarks.md). Here it is held to stream-json (with its own row validation, see
// tests/support/stream-json-reference.ts) on hand-made edge cases, every truncation and thousands of
// random corruptions of a small file, and a real simulator report: the same rows (values and key
// sets), the same unknown keys, and a failure wherever stream-json failed, of the same kind and, for
// row-level checks, the same message. Syntax errors need only agree on being "corrupt or truncated" (the
// detail text is each parser's own). It is also fed in small and random pieces, since a network
// chunk may end anywhere.
import http from "node:http";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isAmazonError } from "@/lib/amazon/errors";
import { ReportArrayParser } from "@/lib/amazon-ads/report-file/json-array-parser";
import { streamReportRows, type ReportRow } from "@/lib/amazon-ads/report-file/read-report";
import {
  fetchReportText,
  fetchToken,
  reportBody,
  startTestSimulator,
} from "../../tools/amazon-ads-simulator/test-support";
import { referenceReportRows } from "../support/stream-json-reference";

type Outcome = { rows: string; unknown: string } | { error: string; message: string };

const bodies = new Map<string, Buffer>();
const server = http.createServer((req, res) => {
  const body = bodies.get(req.url ?? "") ?? Buffer.alloc(0);
  res.writeHead(200, { "content-length": body.length });
  res.end(body);
});
let base = "";
beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

/** Key order is not part of a row's meaning (the parser builds rows in catalogue order). */
const canonical = (rows: ReportRow[]) =>
  JSON.stringify(rows.map((r) => Object.fromEntries(Object.entries(r).sort(([a], [b]) => (a < b ? -1 : 1)))));

async function outcome(parse: (unknownKeys: Set<string>) => Promise<ReportRow[]>): Promise<Outcome> {
  const unknownKeys = new Set<string>();
  try {
    const rows = await parse(unknownKeys);
    return { rows: canonical(rows), unknown: JSON.stringify([...unknownKeys].sort()) };
  } catch (error) {
    return { error: errorKind(error), message: (error as Error).message };
  }
}

/** The kind callers decide by; anything that is not an AmazonError is a bug and shows by its name. */
const errorKind = (error: unknown) => (isAmazonError(error) ? error.kind : (error as Error).name);

/** The app's whole download path (HTTP, gzip detection, read-ahead), in small batches. */
async function appRows(body: Buffer, unknownKeys: Set<string>): Promise<ReportRow[]> {
  const path = `/${bodies.size}-${Math.random()}`;
  bodies.set(path, body);
  try {
    const rows: ReportRow[] = [];
    for await (const batch of streamReportRows(`${base}${path}`, { batchSize: 7, unknownKeys })) rows.push(...batch);
    return rows;
  } finally {
    bodies.delete(path);
  }
}

const CORRUPT = "The report file is corrupt or truncated:";
const validJson = (text: string) => {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
};
/** A file with both a syntax error and a bad row may fail on either first; both parsers reject it. */
function same(a: Outcome, b: Outcome, text: string): boolean {
  if ("rows" in a || "rows" in b) return JSON.stringify(a) === JSON.stringify(b);
  if (a.error !== b.error) return false;
  if (a.error === "data" && !validJson(text.replace(/^\ufeff/, ""))) return true;
  return a.message.startsWith(CORRUPT) ? b.message.startsWith(CORRUPT) : a.message === b.message;
}

async function compare(label: string, body: Buffer | string, failures: string[]): Promise<Outcome> {
  const bytes = typeof body === "string" ? Buffer.from(body) : body;
  const expected = await outcome((u) => referenceReportRows(bytes, u));
  const actual = await outcome((u) => appRows(bytes, u));
  if (!same(expected, actual, typeof body === "string" ? body : ""))
    failures.push(
      `${label}: ${bytes.toString("utf8").slice(0, 160)}\n  stream-json: ${JSON.stringify(expected).slice(0, 300)}\n  ours:        ${JSON.stringify(actual).slice(0, 300)}`,
    );
  return expected;
}

const ok =
  '{"date":"2025-06-14","campaignId":12345678901234567,"campaignName":"A \\"quoted\\" näme 🌸","cost":12.50,"clicks":3,"topOfSearchImpressionShare":null}';
const CASES: string[] = [
  "[]",
  " \n\t[ ] \r\n",
  "\ufeff[]",
  `[${ok}]`,
  `[${ok},${ok.replace("12345", "54321")}]`,
  `[\n  ${ok.replaceAll(",", " ,\n  ").replaceAll(":", " : ")}\n]`,
  '[{"d\\u0061te":"2025-06-14","campaignId":1}]',
  '[{"date":"2025-06-14","campaignId":1,"campaignName":"a\\nb\\t\\u00e9\\ud83c\\udf38\\/\\\\"}]',
  '[{"date":"2025-06-14","campaignId":1,"somethingNew":{"x":[1,2,{"y":null}]},"other":[]}]',
  '[{"date":"2025-06-14","campaignId":1,"cost":{"x":1}}]',
  '[{"date":"2025-06-14","campaignId":1,"cost":[1]}]',
  '[{"date":"2025-06-14","campaignId":1,"campaignStatus":true,"campaignName":false}]',
  '[{"date":"2025-06-14","campaignId":1,"clicks":true}]',
  '[{"date":"2025-06-14","campaignId":1,"cost":"abc","cost":"1.5"}]',
  '[{"date":"2025-06-14","campaignId":1,"cost":"1.5","cost":"abc"}]',
  '[{"date":"2025-06-14","campaignId":1,"clicks":"x","cost":"y"}]',
  '[{"date":"2025-06-14","campaignId":1,"__proto__":{"a":1}}]',
  '[{"date":"2025-06-14","campaignId":1,"__proto__":5}]',
  '[{"date":"2025-06-14","campaignId":1,"7":1,"3":2,"zz":3}]',
  '[{"campaignId":1}]',
  '[{"date":"2025-06-14"}]',
  '[{"date":"","campaignId":1}]',
  '[{"date":"2025-06-14","campaignId":0}]',
  '[{"date":null,"campaignId":1}]',
  '[{"date":"2025-6-14","campaignId":1}]',
  ...["-0", "1e5", "1E+5", "1.5e-3", "123456789012345678901234567890", "0.0000001", "-12.50"].map(
    (n) => `[{"date":"2025-06-14","campaignId":1,"cost":${n}}]`,
  ),
  ...["01", "1.", ".5", "+1", "1e", "--1", "NaN", "Infinity", "1-2", "0x1", "1.5.5"].map(
    (n) => `[{"date":"2025-06-14","campaignId":1,"cost":${n}}]`,
  ),
  ...["tru", "nul", "truex", "nulll", "True", "fals"].map(
    (w) => `[{"date":"2025-06-14","campaignId":1,"campaignName":${w}}]`,
  ),
  '[{"date":"2025-06-14" "campaignId":1}]',
  '[{"date":"2025-06-14",,"campaignId":1}]',
  '[{"date":"2025-06-14","campaignId":1,}]',
  '[{"date":"2025-06-14","campaignId":1}',
  '[{"date":"2025-06-14","campaignId":1},]',
  '[{"date":"2025-06-14","campaignId":1}]]',
  '[{"date":"2025-06-14","campaignId":1}] x',
  '[{"date":"2025-06-14","campaignId":1}][]',
  '[{"date" "2025-06-14","campaignId":1}]',
  '[{date:"2025-06-14","campaignId":1}]',
  "[{'date':'2025-06-14'}]",
  '[{"date":"2025-06-14","campaignId":1,"campaignName":"unclosed}]',
  '[{"date":"2025-06-14","campaignId":1,"campaignName":"tab\there"}]',
  '[{"date":"2025-06-14","campaignId":1,"campaignName":"bad \\x escape"}]',
  '[{"date":"2025-06-14","campaignId":1,"campaignName":"bad \\u12 escape"}]',
  '[{"date":"2025-06-14","campaignId":1,"campaignName":"lone \\ud800 surrogate"}]',
  '[{"date":"2025-06-14","campaignId":1,"ca\\"mpaignName":"k"}]',
  '{"date":"2025-06-14","campaignId":1}',
  '"text"',
  "5",
  "null",
  "",
  "   ",
  "[1]",
  '["a"]',
  "[null]",
  "[[1]]",
  "[true]",
  "[truex]",
  "[5x]",
  `[${ok},5]`,
  `[${ok},{"date":"2025-06-14","campaignId":"x"}]`,
  `[${ok},{"date":"2025-06-14","campaignId":1,"clicks":"1.5"},{"date":"2025-06-14","campaignId":1,`,
  "[{}]",
  "[{ }]",
];
const SMALL = `[${ok},{"date":"2025-06-14","campaignId":2,"unknownThing":[1,{"a":"b"}],"clicks":7},${ok.replace("12345", "99999")}]`;

let seed = 42;
const random = (n: number) => {
  seed = (seed * 1103515245 + 12345) & 0x7fffffff;
  return seed % n;
};

describe("report parser, held to stream-json", () => {
  it("agrees on hand-made edge cases, plain and gzipped", async () => {
    const failures: string[] = [];
    let loaded = 0;
    for (const [i, text] of CASES.entries()) {
      if ("rows" in (await compare(`case ${i}`, text, failures))) loaded++;
      await compare(`case ${i} gzipped`, gzipSync(text), failures);
    }
    expect(failures).toEqual([]);
    expect(loaded).toBeGreaterThan(10); // the cases exercise loading as well as refusing
  });

  it("agrees on every truncation and 3,000 random corruptions of a small file", async () => {
    const failures: string[] = [];
    for (let cut = 0; cut <= SMALL.length; cut++) await compare(`truncated at ${cut}`, SMALL.slice(0, cut), failures);
    const NOISE = [
      '"',
      ",",
      ":",
      "{",
      "}",
      "[",
      "]",
      "\\",
      "0",
      "9",
      "-",
      ".",
      "e",
      " ",
      "\n",
      "t",
      "n",
      "x",
      "\u0001",
    ];
    for (let i = 0; i < 3000; i++) {
      const chars = [...SMALL];
      for (let k = 0; k <= random(3); k++) {
        const at = random(chars.length);
        const op = random(3);
        if (op === 0) chars[at] = NOISE[random(NOISE.length)]!;
        else if (op === 1) chars.splice(at, 1);
        else chars.splice(at, 0, NOISE[random(NOISE.length)]!);
      }
      await compare(`mutation ${i}`, chars.join(""), failures);
    }
    expect(failures).toEqual([]);
  }, 120_000);

  it("agrees on a real simulator report (big ids, decimals, nulls, quoted and emoji names, shuffled keys)", async () => {
    const sim = await startTestSimulator();
    try {
      const text = await fetchReportText(sim, await fetchToken(sim), reportBody());
      const failures: string[] = [];
      const expected = await compare("simulator report", gzipSync(text), failures);
      expect(failures).toEqual([]);
      expect("rows" in expected && JSON.parse(expected.rows).length).toBeGreaterThan(10);
    } finally {
      await sim.close();
    }
  });

  it("gives the same result whatever the chunk boundaries", () => {
    const parseInPieces = (text: string, piece: () => number): Outcome => {
      const rows: ReportRow[] = [];
      const unknown = new Set<string>();
      const parser = new ReportArrayParser(unknown);
      try {
        for (let i = 0; i < text.length;) {
          const n = piece();
          parser.feed(text.slice(i, i + n), (r) => rows.push(r));
          i += n;
        }
        parser.end((r) => rows.push(r));
        return { rows: canonical(rows), unknown: JSON.stringify([...unknown].sort()) };
      } catch (error) {
        return { error: errorKind(error), message: (error as Error).message };
      }
    };
    const failures: string[] = [];
    for (const text of [...CASES, SMALL]) {
      const whole = parseInPieces(text, () => text.length + 1);
      for (const size of [1, 2, 3, 5, 0]) {
        const got = parseInPieces(text, () => (size === 0 ? 1 + random(9) : size));
        if (JSON.stringify(got) !== JSON.stringify(whole))
          failures.push(`chunks of ${size || "random"}: ${text.slice(0, 120)}`);
      }
    }
    expect(failures).toEqual([]);
  });
});
