import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { amzDate, parseAmzDate } from "./dates";
import { answerDownloadFault } from "./download-faults";
import { escapeXml, headerValue, requestId } from "./http-util";
import { openReportFile } from "./report-file";
import { s3Error } from "./s3-error";
import type { ReportRecord, SimulatorState } from "./state";
import type { Region } from "./types";

// Stands in for S3 presigned downloads under /s3/<bucket>/<key>. Errors are S3's XML documents.

export const URL_EXPIRES_SECONDS = 3599;
/** Amazon's urlExpiresAt is X-Amz-Date + 1 h while the signature itself says 3599 s. */
const URL_EXPIRES_AT_SECONDS = 3600;

const STORAGE: Record<Region, { bucket: string; awsRegion: string }> = {
  NA: { bucket: "offline-report-storage-us-east-1-prod", awsRegion: "us-east-1" },
  EU: { bucket: "offline-report-storage-eu-west-1-prod", awsRegion: "eu-west-1" },
  FE: { bucket: "offline-report-storage-us-west-2-prod", awsRegion: "us-west-2" },
};

const SIGNATURE_PARAM = "X-Amz-Signature";

export function objectKeyOf(report: ReportRecord): string {
  const stem = `${report.reportId}-${report.createdMs}`;
  return `${stem}/report-${stem}.json.gz`;
}

function objectPath(report: ReportRecord): string {
  return `/s3/${STORAGE[report.region].bucket}/${objectKeyOf(report)}`;
}

function canonicalQuery(params: URLSearchParams): string {
  return [...params.entries()]
    .filter(([name]) => name !== SIGNATURE_PARAM)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, value]) => `${encodeURIComponent(name)}=${encodeURIComponent(value)}`)
    .join("&");
}

function sign(state: SimulatorState, path: string, params: URLSearchParams): string {
  return createHmac("sha256", state.signingKey)
    .update(`GET\n${path}\n${canonicalQuery(params)}`)
    .digest("hex");
}

/** A fresh presigned URL (new security token, so a new signature even within the same second). */
export function presignReportUrl(state: SimulatorState, report: ReportRecord): { url: string; expiresAt: Date } {
  const signedAt = state.now();
  const stamp = amzDate(signedAt);
  const { awsRegion } = STORAGE[report.region];
  const path = objectPath(report);
  const params = new URLSearchParams([
    ["X-Amz-Security-Token", randomBytes(96).toString("base64")],
    ["X-Amz-Algorithm", "AWS4-HMAC-SHA256"],
    ["X-Amz-Date", stamp],
    ["X-Amz-SignedHeaders", "host"],
    ["X-Amz-Expires", String(URL_EXPIRES_SECONDS)],
    ["X-Amz-Credential", `ASIA4SIMULATOR0000EX/${stamp.slice(0, 8)}/${awsRegion}/s3/aws4_request`],
  ]);
  params.set(SIGNATURE_PARAM, sign(state, path, params));
  return {
    url: `${state.baseUrl}${path}?${params.toString()}`,
    expiresAt: new Date(signedAt.getTime() + URL_EXPIRES_AT_SECONDS * 1000),
  };
}

function sendExpired(response: ServerResponse, expires: Date, serverTime: Date): void {
  const seconds = (date: Date): string => date.toISOString().replace(/\.\d{3}Z$/, "Z");
  s3Error(
    response,
    403,
    "AccessDenied",
    "Request has expired",
    `<X-Amz-Expires>${URL_EXPIRES_SECONDS}</X-Amz-Expires><Expires>${seconds(expires)}</Expires><ServerTime>${seconds(serverTime)}</ServerTime>`,
  );
}

function findReportByPath(state: SimulatorState, path: string): ReportRecord | null {
  const match = /^\/s3\/[^/]+\/([0-9a-f-]{36})-\d+\//.exec(path);
  const report = match ? state.reports.get(match[1]!) : undefined;
  return report && objectPath(report) === path ? report : null;
}

export function handleS3Download(
  state: SimulatorState,
  request: IncomingMessage,
  response: ServerResponse,
  url: URL,
): void {
  if (request.method !== "GET" && request.method !== "HEAD") {
    s3Error(response, 405, "MethodNotAllowed", "The specified method is not allowed against this resource.");
    return;
  }
  const authorization = headerValue(request, "authorization");
  if (authorization !== undefined) {
    s3Error(
      response,
      400,
      "InvalidArgument",
      "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified",
      `<ArgumentName>Authorization</ArgumentName><ArgumentValue>${escapeXml(authorization)}</ArgumentValue>`,
    );
    return;
  }
  const params = url.searchParams;
  const path = url.pathname;
  if (!params.get("X-Amz-Algorithm") || !params.get(SIGNATURE_PARAM)) {
    s3Error(response, 403, "AccessDenied", "Access Denied");
    return;
  }
  const expected = Buffer.from(sign(state, path, params));
  const given = Buffer.from(params.get(SIGNATURE_PARAM) ?? "");
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
    s3Error(
      response,
      403,
      "SignatureDoesNotMatch",
      "The request signature we calculated does not match the signature you provided. Check your key and signing method.",
    );
    return;
  }
  const signedAt = parseAmzDate(params.get("X-Amz-Date"));
  const now = state.now();
  const expires = new Date((signedAt?.getTime() ?? 0) + Number(params.get("X-Amz-Expires")) * 1000);
  if (!signedAt || expires.getTime() < now.getTime()) {
    sendExpired(response, expires, now);
    return;
  }
  const report = findReportByPath(state, path);
  if (!report || report.status !== "COMPLETED" || !report.file) {
    s3Error(
      response,
      404,
      "NoSuchKey",
      "The specified key does not exist.",
      `<Key>${escapeXml(path.split("/").slice(3).join("/"))}</Key>`,
    );
    return;
  }
  const signature = params.get(SIGNATURE_PARAM)!;
  if (report.expiredSignatures.has(signature)) {
    sendExpired(response, expires, now);
    return;
  }
  if (state.scenario.expireUrlOnce && !report.expiredOnceServed) {
    report.expiredOnceServed = true;
    report.expiredSignatures.add(signature);
    sendExpired(response, expires, now);
    return;
  }
  const file = report.file;
  const headers = {
    "Content-Type": "application/octet-stream",
    "Content-Length": file.size,
    ETag: `"${createHmac("md5", "etag").update(report.reportId).digest("hex")}"`,
    "Last-Modified": new Date(report.generatedAt ?? now.toISOString()).toUTCString(),
    "x-amz-request-id": requestId().slice(0, 16),
    "x-amz-server-side-encryption": "AES256",
    Server: "AmazonS3",
  };
  if (request.method === "GET" && answerDownloadFault(state, response, file, headers)) return;
  response.writeHead(200, headers);
  if (request.method === "HEAD") {
    response.end();
    return;
  }
  const body = openReportFile(file);
  body.on("error", () => response.destroy());
  response.on("close", () => body.destroy());
  body.pipe(response);
}
