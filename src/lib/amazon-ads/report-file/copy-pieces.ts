import { Transform, type TransformCallback } from "node:stream";
import { ReportCopyEncoder } from "./copy-encoder";

/**
 * JSON text bytes in, COPY text out in pieces of `rowsPerPiece` rows (see copy-encoder.ts). The
 * readable side holds up to `readAheadRows` rows of pieces: the encoder runs on while the database
 * merges what it was sent (the two then use two cores instead of taking turns), and beyond that the
 * stream's backpressure stops it and, through it, gunzip and the download, so memory stays bounded
 * whatever the file's size.
 */
export class CopyPieces extends Transform {
  private readonly encoder: ReportCopyEncoder;

  constructor(rowsPerPiece: number, readAheadRows: number, unknownKeys?: Set<string>) {
    super({ readableObjectMode: true, readableHighWaterMark: Math.max(1, Math.ceil(readAheadRows / rowsPerPiece)) });
    this.encoder = new ReportCopyEncoder((piece) => this.push(piece), rowsPerPiece, unknownKeys);
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    try {
      this.encoder.feed(chunk);
    } catch (error) {
      return callback(error as Error);
    }
    callback();
  }

  override _flush(callback: TransformCallback): void {
    try {
      this.encoder.end();
    } catch (error) {
      return callback(error as Error);
    }
    callback();
  }
}
