import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { settingsEncryptionKey } from "@/lib/settings/crypto";

// SETTINGS_ENCRYPTION_KEY (BETTER_AUTH_SECRET goes the same way): generated into the data folder in
// development, with one warning; refused when missing in production.
const saved = { ...process.env };
let dataDir: string;
beforeEach(() => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "dev-secrets-"));
  delete process.env.SETTINGS_ENCRYPTION_KEY;
  process.env.DATA_DIR = dataDir;
});
afterEach(() => {
  process.env = { ...saved };
  vi.restoreAllMocks();
});

describe("settings encryption key", () => {
  it("in production, refuses to run without SETTINGS_ENCRYPTION_KEY and writes nothing", () => {
    vi.stubEnv("NODE_ENV", "production");
    expect(() => settingsEncryptionKey()).toThrow(
      /SETTINGS_ENCRYPTION_KEY is not set\. It is required when NODE_ENV=production/,
    );
    expect(fs.readdirSync(dataDir)).toEqual([]);
    vi.unstubAllEnvs();
  });

  it("in development, generates a 32-byte key into the data folder once, warns once, and keeps it", () => {
    vi.stubEnv("NODE_ENV", "development");
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const first = settingsEncryptionKey();
    const second = settingsEncryptionKey();
    expect(first).toHaveLength(32);
    expect(second.equals(first)).toBe(true);
    const file = path.join(dataDir, "dev-settings-encryption-key");
    expect(fs.readFileSync(file, "utf8").trim()).toBe(first.toString("hex"));
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.readdirSync(dataDir)).toEqual(["dev-settings-encryption-key"]); // no draft left behind
    // One warning, when the key was generated, naming where it is (the production test before warns not).
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]![0])).toContain(file);
    // A later process (every CLI command) finds it and uses it quietly.
    warn.mockClear();
    expect(settingsEncryptionKey().equals(first)).toBe(true);
    expect(warn).not.toHaveBeenCalled();
    vi.unstubAllEnvs();
  });

  it("uses SETTINGS_ENCRYPTION_KEY when set, in production too", () => {
    vi.stubEnv("NODE_ENV", "production");
    process.env.SETTINGS_ENCRYPTION_KEY = "ab".repeat(32);
    expect(settingsEncryptionKey().toString("hex")).toBe("ab".repeat(32));
    expect(fs.readdirSync(dataDir)).toEqual([]);
    vi.unstubAllEnvs();
  });
});
