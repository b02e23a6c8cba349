import crypto from "node:crypto";
import { env } from "../env";
import { HttpError } from "./errors";

/**
 * Cron routes: `Authorization: Bearer $CRON_SECRET` (what Vercel Cron sends), compared in constant
 * time. Fails closed: with no CRON_SECRET configured every call is refused. Nothing presented is logged.
 */
export function assertCronAuthorized(request: Request): void {
  const secret = env().CRON_SECRET;
  if (!secret) {
    throw new HttpError(503, {
      error: "cron_not_configured",
      message: "CRON_SECRET is not set on the server, so cron routes are refused",
    });
  }
  const presented = request.headers.get("authorization") ?? "";
  const expected = Buffer.from(`Bearer ${secret}`);
  const actual = Buffer.from(presented);
  const same = actual.length === expected.length && crypto.timingSafeEqual(actual, expected);
  if (!same) throw new HttpError(401, { error: "unauthorized", message: "Missing or wrong cron bearer token" });
}
