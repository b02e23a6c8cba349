import { NextRequest } from "next/server";
import { describe, expect, it } from "vitest";
import { redact, registerSecret } from "@/lib/log";
import { securityHeaders } from "@/lib/http/security-headers";
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

describe("security headers", () => {
  it("every answer of the proxy carries them, with a fresh nonce each time, on the page's request too", () => {
    const nonces = new Set<string>();
    for (const response of [
      proxy(request("/login")),
      proxy(request("/settings", SESSION)),
      proxy(request("/api/settings")),
      proxy(request("/settings")),
    ]) {
      const csp = response.headers.get("content-security-policy") ?? "";
      const nonce = /'nonce-([A-Za-z0-9+/=]+)'/.exec(csp)?.[1];
      expect(nonce).toBeDefined();
      nonces.add(nonce!);
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).toContain(`script-src 'self' 'nonce-${nonce}' 'strict-dynamic'`);
      expect(csp).toContain("object-src 'none'");
      expect(response.headers.get("x-frame-options")).toBe("DENY");
      expect(response.headers.get("x-content-type-options")).toBe("nosniff");
      expect(response.headers.get("referrer-policy")).toBe("no-referrer");
      expect(response.headers.get("strict-transport-security")).toBeNull(); // not production, not https
    }
    expect(nonces.size).toBe(4);
    // Next.js reads the nonce for its scripts from the policy on the request it renders.
    const passed = proxy(request("/login"));
    expect(passed.headers.get("x-middleware-request-content-security-policy")).toBe(
      passed.headers.get("content-security-policy"),
    );
  });

  it("production: no eval, styles by nonce; HSTS and upgrades only over https", () => {
    const https = securityHeaders({ nonce: "n0", production: true, https: true });
    expect(https["Content-Security-Policy"]).not.toContain("unsafe-eval");
    expect(https["Content-Security-Policy"]).toContain("style-src 'self' 'nonce-n0'");
    expect(https["Content-Security-Policy"]).toContain("upgrade-insecure-requests");
    expect(https["Strict-Transport-Security"]).toMatch(/^max-age=\d{8}; includeSubDomains$/);
    const http = securityHeaders({ nonce: "n0", production: true, https: false });
    expect(http["Strict-Transport-Security"]).toBeUndefined();
    expect(http["Content-Security-Policy"]).not.toContain("upgrade-insecure-requests");
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
