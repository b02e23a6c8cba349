import crypto from "node:crypto";
import { describe, expect, it } from "vitest";
import { decrypt, DecryptionError, encrypt, parseEncryptionKey } from "@/lib/settings/crypto";

const key = crypto.randomBytes(32);

describe("settings encryption", () => {
  it("round-trips with a version prefix and a fresh IV each time", () => {
    const a = encrypt("secret value ✓", "settings:1:amazon", key);
    const b = encrypt("secret value ✓", "settings:1:amazon", key);
    expect(a).toMatch(/^v1:/);
    expect(a).not.toEqual(b);
    expect(decrypt(a, "settings:1:amazon", key)).toBe("secret value ✓");
  });

  it("detects a flipped byte", () => {
    const stored = encrypt("secret", "ad", key);
    const bytes = Buffer.from(stored.slice(3), "base64");
    bytes[bytes.length - 1]! ^= 0x01;
    expect(() => decrypt(`v1:${bytes.toString("base64")}`, "ad", key)).toThrow(DecryptionError);
  });

  it("does not decrypt under another key or another place (associated data)", () => {
    const stored = encrypt("secret", "settings:1:amazon", key);
    expect(() => decrypt(stored, "settings:1:amazon", crypto.randomBytes(32))).toThrow(/integrity check/);
    expect(() => decrypt(stored, "settings:2:amazon", key)).toThrow(/integrity check/);
  });

  it("refuses unknown versions and truncated values", () => {
    expect(() => decrypt("v2:abcd", "ad", key)).toThrow(/Unsupported/);
    expect(() => decrypt("v1:YWJj", "ad", key)).toThrow(/truncated/);
  });

  it("accepts 32-byte keys as hex or base64 and rejects other lengths clearly", () => {
    const raw = crypto.randomBytes(32);
    expect(parseEncryptionKey(raw.toString("hex")).equals(raw)).toBe(true);
    expect(parseEncryptionKey(raw.toString("base64")).equals(raw)).toBe(true);
    expect(() => parseEncryptionKey(crypto.randomBytes(16).toString("base64"))).toThrow(/decodes to 16 bytes/);
    expect(() => parseEncryptionKey("short!")).toThrow(/32 bytes/);
  });
});
