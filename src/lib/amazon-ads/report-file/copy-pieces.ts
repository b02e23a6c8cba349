import { Transform, type TransformCallback } from "node:stream";
import { ReportCopyEncoder } from "./copy-encoder";

/**
 * JSON bytes in, COPY pieces out. Up to `readAheadRows` rows are encoded ahead while the database merges
 * (two cores, not taking turns); past that, backpressure stops the encoder, gunzip and the download.
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
