import { pipeline as pipeStreams, Readable, Transform, Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGzip, gzipSync } from "node:zlib";
import { reportJsonChunks, type ReportPlan } from "./data";

// The .json.gz object "in S3". Small files are kept gzipped in memory; bigger ones are only measured once
// (to know fileSize) and regenerated as a stream on each download: gzip is deterministic, so the bytes match.

const DEFAULT_CACHE_LIMIT_BYTES = 2 * 1024 * 1024;
/** Fastest level: a 200k-row report is gzipped twice (size, then download), and Amazon's level is unknown anyway. */
const GZIP_LEVEL = 1;

export interface ReportFile {
  /** Bytes of the object as served (after truncation for a corrupt file). */
  size: number;
  cached: Buffer | null;
  plan: ReportPlan | null;
  /** Set for a corrupt file: only this many leading bytes of the gzip are served. */
  truncateTo: number | null;
}

const EMPTY_REPORT_GZIP = gzipSync("[]");

function gzipStreamOf(plan: ReportPlan): Readable {
  // Errors and early aborts destroy both ends; the consumer sees them on the returned stream.
  return pipeStreams(
    Readable.from(reportJsonChunks(plan), { objectMode: false }),
    createGzip({ level: GZIP_LEVEL }),
    () => {},
  );
}

export async function buildReportFile(
  plan: ReportPlan | null,
  corrupt: boolean,
  cacheLimitBytes = DEFAULT_CACHE_LIMIT_BYTES,
): Promise<ReportFile> {
  let fullSize = 0;
  let cached: Buffer | null = null;
  if (plan === null) {
    cached = EMPTY_REPORT_GZIP;
    fullSize = cached.length;
  } else {
    let chunks: Buffer[] | null = [];
    await pipeline(
      gzipStreamOf(plan),
      new Writable({
        write(chunk: Buffer, _encoding, callback) {
          fullSize += chunk.length;
          if (chunks && fullSize <= cacheLimitBytes) chunks.push(chunk);
          else chunks = null;
          callback();
        },
      }),
    );
    cached = chunks ? Buffer.concat(chunks) : null;
  }
  const truncateTo = corrupt ? Math.floor(fullSize / 2) : null;
  return {
    size: truncateTo ?? fullSize,
    cached: cached && truncateTo !== null ? cached.subarray(0, truncateTo) : cached,
    plan,
    truncateTo,
  };
}

function truncating(limit: number): Transform {
  let passed = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      const room = limit - passed;
      passed += chunk.length;
      callback(null, room <= 0 ? undefined : chunk.length <= room ? chunk : chunk.subarray(0, room));
    },
  });
}

export function openReportFile(file: ReportFile): Readable {
  if (file.cached) return Readable.from([file.cached]);
  if (!file.plan) throw new Error("report file has neither cached bytes nor a plan");
  const stream = gzipStreamOf(file.plan);
  return file.truncateTo === null ? stream : pipeStreams(stream, truncating(file.truncateTo), () => {});
}
