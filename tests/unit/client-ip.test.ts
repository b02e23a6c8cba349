import { describe, expect, it } from "vitest";
import { clientAddress, clientIp, trustForwardedHeaders } from "@/lib/http/client-ip";
import { insecureAuthUrlWarning } from "@/lib/server/startup";

describe("the client's address", () => {
  it("facing clients directly (no trusted proxy): the socket's, whatever the client wrote", () => {
    expect(clientAddress(undefined, "203.0.113.5", 0)).toBe("203.0.113.5");
    expect(clientAddress("10.0.0.1, 10.0.0.2", "203.0.113.5", 0)).toBe("203.0.113.5");
  });

  it("behind N proxies of the operator's: the address the outermost one was connected from", () => {
    // client (may lie) → proxy A (appends what it saw) → our server (socket: proxy A)
    expect(clientAddress("6.6.6.6, 198.51.100.9", "10.0.0.2", 1)).toBe("198.51.100.9");
    expect(clientAddress("6.6.6.6, 198.51.100.9, 10.0.0.3", "10.0.0.2", 2)).toBe("198.51.100.9");
    // Fewer entries than hops: the oldest there is.
    expect(clientAddress(undefined, "10.0.0.2", 3)).toBe("10.0.0.2");
  });

  it("the server overwrites X-Forwarded-For, and drops a direct client's forwarded host and scheme", () => {
    const headers: Record<string, string | string[] | undefined> = {
      "x-forwarded-for": "1.2.3.4",
      "x-forwarded-host": "evil.example",
      "x-forwarded-proto": "https",
      host: "ads.example.com",
    };
    trustForwardedHeaders(headers, "203.0.113.5", 0);
    expect(headers).toEqual({ "x-forwarded-for": "203.0.113.5", host: "ads.example.com" });
    const behind = { "x-forwarded-for": "198.51.100.9", "x-forwarded-proto": "https" };
    trustForwardedHeaders(behind, "10.0.0.2", 1);
    expect(behind).toEqual({ "x-forwarded-for": "198.51.100.9", "x-forwarded-proto": "https" });
  });

  it("the app reads the one address the server left", () => {
    const request = (xff?: string) =>
      new Request("http://localhost/", { headers: xff ? { "x-forwarded-for": xff } : {} });
    expect(clientIp(request("203.0.113.5"))).toBe("203.0.113.5");
    expect(clientIp(request())).toBeNull();
  });
});

describe("a production address over plain http", () => {
  it("is warned about at start; https and this machine are not", () => {
    expect(insecureAuthUrlWarning({ NODE_ENV: "production", BETTER_AUTH_URL: "http://ads.example.com" })).toMatch(
      /session cookies go without Secure/,
    );
    expect(insecureAuthUrlWarning({ NODE_ENV: "production", BETTER_AUTH_URL: "https://ads.example.com" })).toBeNull();
    expect(insecureAuthUrlWarning({ NODE_ENV: "production", BETTER_AUTH_URL: "http://127.0.0.1:3000" })).toBeNull();
    expect(insecureAuthUrlWarning({ NODE_ENV: "development", BETTER_AUTH_URL: "http://ads.example.com" })).toBeNull();
  });
});
