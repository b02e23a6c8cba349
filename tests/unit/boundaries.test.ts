// The edges where library errors and inputs meet the outside: HTTP statuses, org ids, cron paths,
// and which Amazon errors count as transient. One place each; these tests hold them.
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { AmazonError, kindForStatus, type AmazonErrorKind } from "@/lib/amazon/errors";
import { isTransient } from "@/lib/amazon/retry";
import {
  ConflictError,
  InvalidInputError,
  MissingCredentialsError,
  NotFoundError,
  UnreadableSettingError,
} from "@/lib/errors";
import { HttpError, toHttpError } from "@/lib/http/errors";
import { parseOptionalOrgId, parseOrgId } from "@/lib/orgs/org-id";
import { CRON_JOB_PATHS, cronJobForPath } from "@/lib/server/cron-jobs";
import { isPublicPath } from "@/proxy";

describe("the Amazon error vocabulary", () => {
  it("decides transience by kind: throttled, server and network are worth retrying; the rest are not", () => {
    const transient: AmazonErrorKind[] = ["throttled", "server", "network"];
    const permanent: AmazonErrorKind[] = [
      "auth",
      "rejected",
      "bad_response",
      "report_failed",
      "download",
      "data",
      "profile",
    ];
    for (const kind of transient) expect(isTransient(new AmazonError(kind, "x")), kind).toBe(true);
    for (const kind of permanent) expect(isTransient(new AmazonError(kind, "x")), kind).toBe(false);
    expect(isTransient(new AmazonError("download", "S3 503", { transient: true }))).toBe(true);
    expect(isTransient(new Error("boom"))).toBe(false);
  });

  it("maps HTTP statuses to kinds", () => {
    expect([401, 403, 429, 500, 503, 400, 404, 425].map(kindForStatus)).toEqual([
      "auth",
      "auth",
      "throttled",
      "server",
      "server",
      "rejected",
      "rejected",
      "rejected",
    ]);
  });

  it("never carries a registered secret in its message or detail", async () => {
    const { registerSecret } = await import("@/lib/log");
    registerSecret("Atzr|super-secret-refresh-token-value");
    const error = new AmazonError("auth", "refused Atzr|super-secret-refresh-token-value", {
      detail: "token Atzr|super-secret-refresh-token-value",
    });
    expect(error.message + error.detail).not.toContain("super-secret");
  });
});

describe("library errors → HTTP, in one place", () => {
  const status = (error: unknown) => toHttpError(error)?.status ?? 500;
  it("maps each error to its status and a safe body", () => {
    expect(status(new InvalidInputError("bad", { "amazon.client_id": "required" }))).toBe(400);
    expect(toHttpError(new InvalidInputError("bad", { f: "x" }))!.body).toEqual({
      error: "bad_request",
      message: "bad",
      fields: { f: "x" },
    });
    expect(status(new ConflictError("already_set_up", "done"))).toBe(409);
    expect(toHttpError(new ConflictError("already_set_up", "done"))!.body.error).toBe("already_set_up");
    expect(status(new NotFoundError("no"))).toBe(404);
    expect(toHttpError(new MissingCredentialsError("none"))!).toMatchObject({
      status: 422,
      body: { error: "no_credentials", message: "none" },
    });
    expect(toHttpError(new UnreadableSettingError(3, "amazon_ads", "damaged"))!).toMatchObject({
      status: 422,
      body: { error: "credentials_unreadable" },
    });
    expect(status(new AmazonError("profile", "not this login's"))).toBe(422);
    expect(status(new AmazonError("throttled", "slow down"))).toBe(503);
    expect(status(new AmazonError("network", "no answer"))).toBe(504);
    expect(status(new AmazonError("server", "boom"))).toBe(502);
    expect(status(new HttpError(418, { error: "teapot", message: "short and stout" }))).toBe(418);
    expect(toHttpError(new Error("internal detail"))).toBeNull();
  });
});

describe("organisation ids", () => {
  it("accepts positive 32-bit integers only, with the same rule everywhere", () => {
    expect(parseOrgId("1")).toBe(1);
    expect(parseOrgId("2147483647")).toBe(2_147_483_647);
    for (const bad of ["0", "-1", "01", "1.5", "abc", "2147483648", "99999999999", " 1", ""]) {
      expect(() => parseOrgId(bad), bad).toThrow(InvalidInputError);
    }
    expect(() => parseOrgId("x", "--org")).toThrow(/--org must be a positive integer/);
    expect(parseOptionalOrgId(null)).toBeNull();
    expect(parseOptionalOrgId("")).toBeNull();
    expect(parseOptionalOrgId("7")).toBe(7);
  });
});

describe("cron paths: one list", () => {
  const vercel = JSON.parse(fs.readFileSync(path.join(process.cwd(), "vercel.json"), "utf8")) as {
    crons: Array<{ path: string }>;
    functions: Record<string, unknown>;
  };
  it("every cron job has its route file, a vercel.json cron and a maxDuration, and is public in the proxy", () => {
    for (const [job, route] of Object.entries(CRON_JOB_PATHS)) {
      expect(fs.existsSync(path.join(process.cwd(), "src/app", route, "route.ts")), route).toBe(true);
      expect(
        vercel.crons.some((c) => new URL(c.path, "http://x").pathname === route),
        route,
      ).toBe(true);
      expect(vercel.functions[`src/app${route}/route.ts`], route).toBeDefined();
      expect(isPublicPath(route)).toBe(true);
      expect(cronJobForPath(route)).toBe(job);
    }
  });
  it("vercel.json names no cron path outside the list", () => {
    for (const cron of vercel.crons) expect(cronJobForPath(new URL(cron.path, "http://x").pathname)).not.toBeNull();
  });
});
