import { randomBytes } from "node:crypto";
import type { ServerResponse } from "node:http";
import { escapeXml, requestId, sendXml } from "./http-util";

/** S3's error document: `<Error><Code>…</Code><Message>…</Message>…<RequestId>…</RequestId><HostId>…</HostId></Error>`. */
export function s3Error(response: ServerResponse, status: number, code: string, message: string, extra = ""): void {
  sendXml(
    response,
    status,
    `<Error><Code>${code}</Code><Message>${escapeXml(message)}</Message>${extra}<RequestId>${requestId().slice(0, 16)}</RequestId><HostId>${randomBytes(48).toString("base64")}</HostId></Error>`,
  );
}
