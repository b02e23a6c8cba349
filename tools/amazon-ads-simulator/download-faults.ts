import type { ServerResponse } from "node:http";
import { Transform } from "node:stream";
import { openReportFile, type ReportFile } from "./report-file";
import { s3Error } from "./s3-error";
import { consumeFault } from "./scenario";
import type { SimulatorState } from "./state";

// Faults of an S3 download whose URL checked out, from the scenario's counters: what a client of S3
// sees when S3 sheds load or the connection drops mid-file. Each counter is used up by one download.

const S3_5XX: Record<number, [code: string, message: string]> = {
  500: ["InternalError", "We encountered an internal error. Please try again."],
  503: ["SlowDown", "Please reduce your request rate."],
};
/** Time for the 200 headers to reach the client first, so it sees an answer whose body fails, not no answer. */
const RESET_AFTER_MS = 30;

/** Answers this download with an injected fault when the scenario has one left; true if it did. */
export function answerDownloadFault(
  state: SimulatorState,
  response: ServerResponse,
  file: ReportFile,
  headers: Record<string, string | number>,
): boolean {
  const serverError = consumeFault(state.scenario, "download5xx");
  if (serverError) {
    const status = serverError.status ?? 503;
    const [code, message] = S3_5XX[status] ?? ["ServiceUnavailable", "Service is unable to handle request."];
    s3Error(response, status, code, message);
    return true;
  }
  if (consumeFault(state.scenario, "downloadReset")) {
    response.writeHead(200, headers);
    response.flushHeaders();
    const socket = response.socket;
    setTimeout(() => socket && !socket.destroyed && socket.resetAndDestroy(), RESET_AFTER_MS).unref();
    return true;
  }
  if (consumeFault(state.scenario, "downloadTruncate")) {
    sendFirstHalf(response, file, headers);
    return true;
  }
  return false;
}

/** The full Content-Length, then half of the bytes, then the connection closes (FIN once they are flushed). */
function sendFirstHalf(response: ServerResponse, file: ReportFile, headers: Record<string, string | number>): void {
  response.writeHead(200, headers);
  const body = openReportFile(file);
  const half = firstBytes(Math.floor(file.size / 2), () => body.destroy());
  body.on("error", () => response.destroy());
  response.on("close", () => body.destroy());
  half.on("end", () => response.socket?.end());
  body.pipe(half).pipe(response, { end: false });
}

/** Passes the first `limit` bytes, then ends and calls `stop` (so a big file is not generated for nothing). */
function firstBytes(limit: number, stop: () => void): Transform {
  let passed = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      if (passed >= limit) return callback();
      const part = chunk.subarray(0, limit - passed);
      passed += part.length;
      this.push(part);
      if (passed >= limit) {
        this.push(null);
        stop();
      }
      callback();
    },
  });
}
