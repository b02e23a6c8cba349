import type { Readable, Transform } from "node:stream";
import { createGunzip } from "node:zlib";

/** zlib's default 16 KiB output chunks made gunzip take 3.7x as long (docs/benchmarks.md). */
const GUNZIP_CHUNK_BYTES = 256 * 1024;

/** gunzip when the bytes start with gzip's magic number (a proxy may have decoded them already), else none. */
export function decoderFor(head: Buffer): Transform | null {
  return head[0] === 0x1f && head[1] === 0x8b ? createGunzip({ chunkSize: GUNZIP_CHUNK_BYTES }) : null;
}

/** The first `n` bytes (fewer if shorter), left in the stream; null when it ends empty. */
export async function peek(source: Readable, n: number): Promise<Buffer | null> {
  for (;;) {
    const head = source.read(n) as Buffer | null; // n bytes; at the end, whatever is left
    if (head !== null) {
      source.unshift(head); // at once, before the stream can decide it has ended
      return head;
    }
    if (source.readableEnded) return null;
    await readableOrEnd(source);
  }
}

function readableOrEnd(source: Readable): Promise<void> {
  return new Promise((resolve, reject) => {
    const settle = (error?: Error) => {
      source.off("readable", settle).off("end", settle).off("error", settle).off("close", settle);
      if (error) reject(error);
      else if (source.destroyed && !source.readableEnded)
        reject(source.errored ?? new Error("the stream closed before its end"));
      else resolve();
    };
    source.on("readable", settle).on("end", settle).on("error", settle).on("close", settle);
  });
}
