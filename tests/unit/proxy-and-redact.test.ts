import { NextRequest } from "next/server";
import { describe, expect, it } from "vitest";
import { redact, registerSecret } from "@/lib/log";
import { proxy } from "@/proxy";

const request = (path: string, cookie?: string) =>
  new NextRequest(`http://localhost:3000${path}`, { headers: cookie ? { cookie } : {} });
const SESSION = "better-auth.session_token=abc.def";

describe("proxy", () => {
  it("lets the public list through without a session, cron routes included", () => {
    for (const path of [
      "/login",
      "/api/auth/sign-in/email",
      "/api/setup",
      "/api/health",
      "/api/cron/amazon-ads-request?orgId=1",
      "/api/cron/amazon-ads-collect",
    ]) {
      const response = proxy(request(path));
      expect(response.headers.get("x-middleware-next"), path).toBe("1");
    }
  });

  it("answers 401 JSON for other API routes and near-misses of public ones", async () => {
    for (const path of [
      "/api/settings",
      "/api/test/amazon-ads",
      "/api/healthz",
      "/api/cron/amazon-ads-requestx",
      "/api/cron/other",
    ]) {
      const response = proxy(request(path));
      expect(response.status, path).toBe(401);
      expect(await response.json()).toEqual({ error: "unauthorized", message: "Sign in first" });
    }
  });

  it("redirects pages to /login, keeping where the user was going", () => {
    const response = proxy(request("/settings?tab=amazon"));
    expect(response.status).toBe(307);
    expect(new URL(response.headers.get("location")!).pathname).toBe("/login");
    expect(new URL(response.headers.get("location")!).searchParams.get("next")).toBe("/settings?tab=amazon");
    expect(proxy(request("/loginx")).status).toBe(307);
  });

  it("passes requests that carry a session cookie (the handlers check it)", () => {
    expect(proxy(request("/settings", SESSION)).headers.get("x-middleware-next")).toBe("1");
    expect(proxy(request("/api/settings", SESSION)).headers.get("x-middleware-next")).toBe("1");
  });
});

describe("redact", () => {
  it("removes registered secrets and anything shaped like an Amazon token or a bearer header", () => {
    registerSecret("my-client-secret-value");
    const line = redact(
      "secret my-client-secret-value, refresh Atzr|IwEBIAbc-123, access Atza|IwEBIxyz, header Authorization: Bearer eyJhbGciOi.x.y",
    );
    expect(line).not.toMatch(/my-client-secret-value|IwEBIAbc|IwEBIxyz|eyJhbGciOi/);
    expect(line).toBe(
      "secret [redacted], refresh Atzr|[redacted], access Atza|[redacted], header Authorization: Bearer [redacted]",
    );
  });

  it("leaves ordinary text alone and ignores values too short to be secrets", () => {
    registerSecret("abc");
    expect(redact("report abc done: 5 rows")).toBe("report abc done: 5 rows");
  });
});
