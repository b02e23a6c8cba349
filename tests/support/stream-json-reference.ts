// The reference the report parser is held to (tests/unit/report-parser.test.ts): stream-json's
// streamArray with numberAsString, the well-kept library the app used before the benchmark showed
// it was the bottleneck (docs/benchmarks.md). Row validation is the app's own (toReportRow); what
// is compared is the parsing.
import { Readable } from "node:stream";
import { gunzipSync } from "node:zlib";
import streamArray from "stream-json/streamers/stream-array.js";
import { ReportDataError, toReportRow, type ReportRow } from "@/lib/amazon-ads/report-file/read-report";

export async function referenceReportRows(body: Buffer, unknownKeys: Set<string>): Promise<ReportRow[]> {
  if (body.length === 0) throw new ReportDataError("The report file is empty (0 bytes)");
  const rows: ReportRow[] = [];
  try {
    const text = body[0] === 0x1f && body[1] === 0x8b ? gunzipSync(body) : body;
    const parser = streamArray.withParserAsStream({ numberAsString: true });
    Readable.from([text]).pipe(parser);
    let index = 0;
    for await (const item of parser as AsyncIterable<{ value: unknown }>)
      rows.push(toReportRow(item.value, index++, unknownKeys));
  } catch (error) {
    if (error instanceof ReportDataError) throw error;
    throw new ReportDataError(`The report file is corrupt or truncated: ${(error as Error).message}`);
  }
  return rows;
}
