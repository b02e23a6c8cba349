import { beforeEach, describe, expect, it, vi } from "vitest";

// A fresh module per test: the registry is process-wide state.
let log: typeof import("@/lib/log");
beforeEach(async () => {
  vi.resetModules();
  log = await import("@/lib/log");
});

const CAP = 1_000;
const secret = (i: number) => `secret-value-${String(i).padStart(6, "0")}`;
const isRedacted = (value: string) => log.redact(`token ${value} end`) === "token [redacted] end";

function registerRange(from: number, to: number) {
  for (let i = from; i < to; i++) log.registerSecret(secret(i));
}

describe("the redaction registry is bounded", () => {
  it("keeps at most 1,000 secrets: the newest are redacted, the oldest forgotten", () => {
    expect(log.MAX_REGISTERED_SECRETS).toBe(CAP);
    registerRange(0, CAP + 250);
    expect(log.registeredSecretCount()).toBe(CAP);
    for (const i of [250, 600, CAP + 249]) expect(isRedacted(secret(i)), secret(i)).toBe(true);
    for (const i of [0, 249]) expect(isRedacted(secret(i)), secret(i)).toBe(false);
  });

  it("registering the same secret again does not grow the registry", () => {
    for (let round = 0; round < 3; round++) registerRange(0, 10);
    expect(log.registeredSecretCount()).toBe(10);
  });

  it("a re-registered old secret moves to the front and outlives the ones registered after it", () => {
    registerRange(0, CAP);
    log.registerSecret(secret(0));
    registerRange(CAP, CAP + 1);
    expect(log.registeredSecretCount()).toBe(CAP);
    expect(isRedacted(secret(0))).toBe(true);
    expect(isRedacted(secret(1))).toBe(false);
  });

  it("a secret that redact() still finds in log lines counts as recently used", () => {
    registerRange(0, CAP);
    expect(isRedacted(secret(0))).toBe(true);
    registerRange(CAP, CAP + 1);
    expect(isRedacted(secret(0))).toBe(true);
    expect(isRedacted(secret(1))).toBe(false);
  });
});
