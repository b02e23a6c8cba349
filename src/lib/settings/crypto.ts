import crypto from "node:crypto";
import { randomHexKey, secretFromEnvOrDataDir } from "./dev-secrets";

const VERSION = "v1";
const IV_BYTES = 12;
const TAG_BYTES = 16;

export class DecryptionError extends Error {
  override name = "DecryptionError";
}

/** SETTINGS_ENCRYPTION_KEY as 32 raw bytes: 64 hex characters or base64 of 32 bytes; anything else is refused. */
export function parseEncryptionKey(text: string): Buffer {
  const trimmed = text.trim();
  if (/^[0-9a-fA-F]{64}$/.test(trimmed)) return Buffer.from(trimmed, "hex");
  if (/^[A-Za-z0-9+/_-]+={0,2}$/.test(trimmed)) {
    const bytes = Buffer.from(trimmed, "base64");
    if (bytes.length === 32) return bytes;
    throw new Error(
      `SETTINGS_ENCRYPTION_KEY must be 32 bytes; the base64 value decodes to ${bytes.length} bytes. Generate one with: openssl rand -base64 32`,
    );
  }
  throw new Error(
    "SETTINGS_ENCRYPTION_KEY must be 32 bytes written as 64 hex characters or as base64. Generate one with: openssl rand -base64 32",
  );
}

export function settingsEncryptionKey(): Buffer {
  return parseEncryptionKey(secretFromEnvOrDataDir("SETTINGS_ENCRYPTION_KEY", randomHexKey));
}

/**
 * AES-256-GCM, random IV, `v1:` prefix so the scheme or key can be rotated later. The associated
 * data binds a ciphertext to its place (org and key): copied into another org's row it won't decrypt.
 */
export function encrypt(plaintext: string, associatedData: string, key = settingsEncryptionKey()): string {
  const iv = crypto.randomBytes(IV_BYTES);
  const cipher = crypto.createCipheriv("aes-256-gcm", key, iv);
  cipher.setAAD(Buffer.from(associatedData, "utf8"));
  const ciphertext = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return `${VERSION}:${Buffer.concat([iv, cipher.getAuthTag(), ciphertext]).toString("base64")}`;
}

export function decrypt(stored: string, associatedData: string, key = settingsEncryptionKey()): string {
  const [version, payload] = stored.split(":", 2);
  if (version !== VERSION || !payload)
    throw new DecryptionError(`Unsupported encrypted value format (expected ${VERSION}:…)`);
  const bytes = Buffer.from(payload, "base64");
  if (bytes.length < IV_BYTES + TAG_BYTES) throw new DecryptionError("Encrypted value is truncated");
  const decipher = crypto.createDecipheriv("aes-256-gcm", key, bytes.subarray(0, IV_BYTES));
  decipher.setAAD(Buffer.from(associatedData, "utf8"));
  decipher.setAuthTag(bytes.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
  try {
    return Buffer.concat([decipher.update(bytes.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString("utf8");
  } catch {
    throw new DecryptionError(
      "Encrypted value failed its integrity check (tampered, or encrypted with another SETTINGS_ENCRYPTION_KEY)",
    );
  }
}
