// Inputs for report-scanner.test.ts: where the COPY encoder's fast path or its JSON.parse path could
// part ways with stream-json (escapes, unicode and broken UTF-8, numbers, literals, repeated and
// unknown keys, spacing, key columns), plus generators of corruptions and of random rows.
import { COLUMNS } from "@/lib/catalogue/sp-campaigns";

const row = (members: string) => `{"date":"2025-06-14","campaignId":12345678901234567${members}}`;
const ok = row(',"campaignName":"A \\"quoted\\" näme 🌸","cost":12.50,"clicks":3,"topOfSearchImpressionShare":null');
const bytes = (...parts: Array<string | number[]>) =>
  Buffer.concat(parts.map((p) => (typeof p === "string" ? Buffer.from(p) : Buffer.from(p))));

export const CASES: Array<string | Buffer> = [
  "[]",
  " \n\t[ ] \r\n",
  "\ufeff[]",
  bytes([0xef, 0xbb, 0xbf], `[${ok}]`),
  `[${ok}]`,
  `[${ok},${ok.replace("12345", "54321")},${ok}]`,
  `[\n  ${ok.replaceAll(",", " ,\n  ").replaceAll(":", " : ")}\n]`,
  `[${ok.replaceAll(",", "\t,\r\n")}]`,
  // Escapes: the ones COPY reads alike, \u, and wrong ones; in text and in other columns.
  `[${row(',"campaignName":"a\\"b\\\\c\\/d\\be\\ff\\ng\\rh\\ti"')}]`,
  `[${row(',"campaignName":"\\\\N"')},${row(',"campaignName":"\\\\"')},${row(',"campaignName":"x\\\\\\\\"')}]`,
  `[${row(',"campaignName":"\\u00e9\\ud83c\\udf38\\u0041"')}]`,
  `[${row(',"campaignName":"lone \\ud800 surrogate"')}]`,
  `[${row(',"campaignName":"bad \\x escape"')}]`,
  `[${row(',"campaignName":"bad \\u12 escape"')}]`,
  `[${row(',"campaignName":"ends in a backslash\\')}]`,
  `[${row(',"cost":"1\\u002e5"')}]`,
  `[${row(',"campaignStatus":"\\"ENABLED\\""')}]`,
  '[{"d\\u0061te":"2025-06-14","campaignId":1}]',
  '[{"date":"2025-06-14","campaignId":1,"ca\\"mpaignName":"k"}]',
  // Unicode: valid, and bytes that are not UTF-8 (the parser replaces them).
  `[${row(',"campaignName":"日本語 – ü 🌸 \u2028"')}]`,
  bytes(`[${row(',"campaignName":"bad ')}`.slice(0, -2), [0xff, 0xfe], '"}]'),
  bytes('[{"date":"2025-06-14","campaignId":1,"campaignName":"', [0xc3], '"}]'),
  bytes('[{"date":"2025-06-14","campaignId":1,"campaignName":"', [0xc0, 0xaf, 0xed, 0xa0, 0x80], '"}]'),
  bytes('[{"date":"2025-06-14","campaignId":1,"campaignNäme":"x","', [0xe2, 0x82], '":1}]'),
  bytes("[", [0xf0, 0x9f, 0x8c, 0xb8], "]"),
  "[🌸]",
  `[${ok}] 🌸`,
  `[${row(',"campaignName":"tab\there"')}]`,
  `[${row(',"campaignName":"nul\u0000here"')}]`,
  // Numbers in every column type.
  ...[
    "-0",
    "0",
    "1e5",
    "1E+5",
    "1.5e-3",
    "123456789012345678901234567890",
    "0.0000001",
    "-12.50",
    "9223372036854775807",
  ].flatMap((n) => [`[${row(`,"cost":${n}`)}]`, `[${row(`,"clicks":${n}`)}]`, `[${row(`,"campaignName":${n}`)}]`]),
  ...["01", "1.", ".5", "+1", "1e", "--1", "NaN", "Infinity", "1-2", "0x1", "1.5.5", "1e+", "-", "2e3.5"].map(
    (n) => `[${row(`,"cost":${n}`)}]`,
  ),
  ...['"12.50"', '"1e3"', '"-7"', '"x"', '""', '" 1"', '"1 "', '"1,5"'].flatMap((v) => [
    `[${row(`,"cost":${v}`)}]`,
    `[${row(`,"clicks":${v}`)}]`,
  ]),
  `[{"date":2025,"campaignId":1}]`,
  '[{"date":"2025-6-14","campaignId":1}]',
  '[{"date":"2025-06-14","campaignId":1,"clicks":true}]',
  '[{"date":"2025-06-14","campaignId":1,"clicks":"x","cost":"y"}]',
  '[{"date":"2025-06-14","campaignId":1,"campaignStatus":true,"campaignName":false}]',
  '[{"date":"2025-06-14","campaignId":1,1:2}]',
  '[{"date":"2025-06-14","campaignId":1,"x":[1,{"y":-2e5}],"cost":-0.5e-3}]',
  `[{"date":"2025-06-1x","campaignId":1}]`,
  `[{"date":"2025-06-140","campaignId":1}]`,
  `[{"date":"2025-06-14","campaignId":"12345678901234567890"}]`,
  `[{"date":"2025-06-14","campaignId":"-5"}]`,
  `[{"date":"2025-06-14","campaignId":1.0}]`,
  // Literals in every column type.
  ...["true", "false", "null", "tru", "nul", "truex", "True", "fals", "nulll"].flatMap((w) => [
    `[${row(`,"campaignName":${w}`)}]`,
    `[${row(`,"clicks":${w}`)}]`,
    `[${row(`,"unknownMetric":${w}`)}]`,
  ]),
  // Repeated keys, unknown keys, nested values.
  `[${row(',"cost":"abc","cost":"1.5"')}]`,
  `[${row(',"cost":"1.5","cost":"abc"')}]`,
  `[${row(',"cost":1,"clicks":2,"cost":3')}]`,
  '[{"date":"2025-06-14","campaignId":1,"date":"2025-06-15"}]',
  `[${row(',"somethingNew":1,"other":"x","third":null,"fourth":true')},${row(',"somethingNew":2')}]`,
  `[${row(',"somethingNew":{"x":[1,2,{"y":null}]},"other":[]')}]`,
  `[${row(',"cost":{"x":1}')}]`,
  `[${row(',"cost":[1]')}]`,
  `[${row(',"__proto__":{"a":1}')}]`,
  `[${row(',"__proto__":5')}]`,
  `[${row(',"7":1,"":2,"zz":3')}]`,
  // Key columns.
  '[{"campaignId":1}]',
  '[{"date":"2025-06-14"}]',
  '[{"date":"","campaignId":1}]',
  '[{"date":null,"campaignId":1}]',
  '[{"date":"2025-06-14","campaignId":0}]',
  '[{"date":"2025-06-14","campaignId":true}]',
  "[{}]",
  "[{ }]",
  // Structure.
  '[{"date":"2025-06-14" "campaignId":1}]',
  '[{"date":"2025-06-14",,"campaignId":1}]',
  '[{"date":"2025-06-14","campaignId":1,}]',
  '[{"date":"2025-06-14","campaignId":1}',
  '[{"date":"2025-06-14","campaignId":1},]',
  '[{"date":"2025-06-14","campaignId":1}]]',
  '[{"date":"2025-06-14","campaignId":1}] x',
  '[{"date":"2025-06-14","campaignId":1}][]',
  '[{"date":"2025-06-14","campaignId":1}}]',
  '[{"date":"2025-06-14","campaignId":1]]',
  '[{"date":"2025-06-14","campaignId":[1}]',
  '[{"date" "2025-06-14","campaignId":1}]',
  '[{date:"2025-06-14","campaignId":1}]',
  "[{'date':'2025-06-14'}]",
  '[{"date":"2025-06-14","campaignId":1,"campaignName":"unclosed}]',
  '{"date":"2025-06-14","campaignId":1}',
  '"text"',
  "5",
  "null",
  "",
  "   ",
  "[1]",
  "[1 ,2]",
  '["a"]',
  "[null]",
  "[[1]]",
  "[true]",
  "[truex]",
  "[5x]",
  "[5 x]",
  "[-]",
  `[${ok},5]`,
  `[${ok},{"date":"2025-06-14","campaignId":"x"}]`,
  `[${ok},{"date":"2025-06-14","campaignId":1,"clicks":"1.5"},{"date":"2025-06-14","campaignId":1,`,
];

export const SMALL = Buffer.from(
  `[${ok},{"date":"2025-06-14","campaignId":2,"unknownThing":[1,{"a":"b"}],"clicks":7,"campaignName":"tab\\there \\u00e9"},${ok.replace("12345", "99999")}]`,
);

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
  "é",
  "u",
];

export function mutations(text: Buffer, count: number, random: (n: number) => number): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < count; i++) {
    const chars = [...text.toString("utf8")];
    for (let k = 0; k <= random(3); k++) {
      const at = random(chars.length);
      const op = random(3);
      if (op === 0) chars[at] = NOISE[random(NOISE.length)]!;
      else if (op === 1) chars.splice(at, 1);
      else chars.splice(at, 0, NOISE[random(NOISE.length)]!);
    }
    out.push(Buffer.from(chars.join("")));
  }
  return out;
}

const TEXTS = ["", "plain", 'q\\"q', "b\\\\s", "s\\/l", "c\\b\\f\\n\\r\\t", "ü 🌸 日本", "Kids' Toys", "a b"];
/** \u escapes send a row to the string parser: rare here, so most random rows test the fast path. */
const U_ESCAPES = ["\\u00e9\\u4e2d", "\\ud83c\\udf38", "a\\ud800b"];
const NUMBERS = ["0", "-0", "7", "-42", "12345678901234567", "9223372036854775807", "12.50", "0.001", "1e3", "-2.5E-7"];
const SPACES = ["", "", "", " ", "\n", " \t\r\n "];

/** One value for a column: of the column's shape (or null) nearly always, of any kind now and then. */
function value(type: string, random: (n: number) => number): string {
  const pick = <T>(list: readonly T[]) => list[random(list.length)]!;
  if (random(10) === 0) return "null";
  if (random(200) === 0)
    return pick(["true", "false", `"${pick(TEXTS)}"`, pick(NUMBERS), `"${pick(NUMBERS)}"`, "[1]", '{"a":1}', "01"]);
  if (type === "date") return random(20) ? `"2025-0${1 + random(9)}-1${random(10)}"` : '"2025-6-14"';
  if (type === "text")
    return random(10)
      ? `"${pick(TEXTS)}${random(20) ? pick(TEXTS) : pick(U_ESCAPES)}"`
      : pick([...NUMBERS, "true", "false"]);
  if (type === "bigint") return random(3) ? pick(NUMBERS.slice(0, 6)) : `"${pick(NUMBERS.slice(0, 6))}"`;
  return random(3) ? pick(NUMBERS) : `"${pick(NUMBERS)}"`;
}

/** A file of 0–6 random rows: random subsets of columns in random order, sometimes an unknown or repeated key. */
export function fuzzFile(random: (n: number) => number): Buffer {
  const sp = () => SPACES[random(SPACES.length)]!;
  const rows: string[] = [];
  for (let r = random(7); r > 0; r--) {
    const members: string[] = [];
    const keyValue = (api: string, type: string) =>
      api === "date" && random(8)
        ? '"2025-06-14"'
        : api === "campaignId" && random(8)
          ? `${1 + random(5)}`
          : value(type, random);
    for (const c of COLUMNS)
      if (c.api === "date" || c.api === "campaignId" || random(4) === 0)
        members.push(`"${c.api}"${sp()}:${sp()}${keyValue(c.api, c.type)}`);
    if (random(6) === 0) members.push(`"newMetric${random(3)}":${value("text", random)}`);
    if (random(10) === 0) members.push(members[random(members.length)]!);
    for (let i = members.length - 1; i > 0; i--) {
      const j = random(i + 1);
      [members[i], members[j]] = [members[j]!, members[i]!];
    }
    rows.push(`${sp()}{${sp()}${members.join(`${sp()},${sp()}`)}${sp()}}${sp()}`);
  }
  return Buffer.from(`${sp()}[${rows.join(",")}]${sp()}`);
}
