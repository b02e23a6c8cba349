import { and, eq, sql } from "drizzle-orm";
import type { z } from "zod";
import { decrypt, DecryptionError, encrypt } from "./crypto";
import { getDb, type DbOrTx } from "../db";
import { settings } from "../db/schema";
import { UnreadableSettingError } from "../errors";
import {
  amazonAdsSettingsSchema,
  amazonSettingsSchema,
  type AmazonAdsSettings,
  type AmazonAdsSettingsInput,
  type AmazonSettings,
} from "./schema";

export type { AmazonAdsSettings, AmazonSettings } from "./schema";

// Binds each ciphertext to its row: a value copied to another org or key fails to decrypt.
const associatedData = (orgId: number, key: string) => `settings:${orgId}:${key}`;

export async function getSetting(orgId: number, key: string, db?: DbOrTx): Promise<unknown | null> {
  const conn = db ?? (await getDb());
  const [row] = await conn
    .select({ value: settings.valueEncrypted })
    .from(settings)
    .where(and(eq(settings.orgId, orgId), eq(settings.key, key)));
  return row ? decode(orgId, key, row.value) : null;
}

function decode(orgId: number, key: string, ciphertext: string): unknown {
  let plaintext: string;
  try {
    plaintext = decrypt(ciphertext, associatedData(orgId, key));
  } catch (error) {
    if (!(error instanceof DecryptionError)) throw error; // no key configured: a configuration error, not this row's
    throw new UnreadableSettingError(orgId, key, error.message);
  }
  try {
    return JSON.parse(plaintext);
  } catch {
    throw new UnreadableSettingError(orgId, key, "the decrypted value is not JSON");
  }
}

export async function saveSetting(orgId: number, key: string, value: unknown, db?: DbOrTx): Promise<void> {
  const conn = db ?? (await getDb());
  const valueEncrypted = encrypt(JSON.stringify(value), associatedData(orgId, key));
  await conn
    .insert(settings)
    .values({ orgId, key, valueEncrypted })
    .onConflictDoUpdate({ target: [settings.orgId, settings.key], set: { valueEncrypted, updatedAt: sql`now()` } });
}

export async function deleteSetting(orgId: number, key: string, db?: DbOrTx): Promise<void> {
  const conn = db ?? (await getDb());
  await conn.delete(settings).where(and(eq(settings.orgId, orgId), eq(settings.key, key)));
}

async function getTyped<T>(orgId: number, key: string, schema: z.ZodType<T>, db?: DbOrTx): Promise<T | null> {
  const raw = await getSetting(orgId, key, db);
  return raw === null ? null : typed(orgId, key, raw, schema);
}

function typed<T>(orgId: number, key: string, raw: unknown, schema: z.ZodType<T>): T {
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
  throw new UnreadableSettingError(orgId, key, problems);
}

export const getAmazonSettings = (orgId: number, db?: DbOrTx) => getTyped(orgId, "amazon", amazonSettingsSchema, db);
export const saveAmazonSettings = (orgId: number, value: AmazonSettings, db?: DbOrTx) =>
  saveSetting(orgId, "amazon", amazonSettingsSchema.parse(value), db);

export const getAmazonAdsSettings = (orgId: number, db?: DbOrTx) =>
  getTyped(orgId, "amazon_ads", amazonAdsSettingsSchema, db);
export const saveAmazonAdsSettings = (orgId: number, value: AmazonAdsSettingsInput, db?: DbOrTx) =>
  saveSetting(orgId, "amazon_ads", amazonAdsSettingsSchema.parse(value), db);

/** Every organisation's Ads credentials in one query: its settings, or the UnreadableSettingError they gave. */
export async function everyAmazonAdsSettings(
  db?: DbOrTx,
): Promise<Array<{ orgId: number; settings: AmazonAdsSettings | UnreadableSettingError }>> {
  const conn = db ?? (await getDb());
  const key = "amazon_ads";
  const rows = await conn
    .select({ orgId: settings.orgId, value: settings.valueEncrypted })
    .from(settings)
    .where(eq(settings.key, key))
    .orderBy(settings.orgId);
  return rows.map(({ orgId, value }) => {
    try {
      return { orgId, settings: typed(orgId, key, decode(orgId, key, value), amazonAdsSettingsSchema) };
    } catch (error) {
      if (error instanceof UnreadableSettingError) return { orgId, settings: error };
      throw error;
    }
  });
}

/** Organisations that have Ads API credentials saved (the crons' default set). */
export async function orgIdsWithSetting(key: string, db?: DbOrTx): Promise<number[]> {
  const conn = db ?? (await getDb());
  const rows = await conn
    .select({ orgId: settings.orgId })
    .from(settings)
    .where(eq(settings.key, key))
    .orderBy(settings.orgId);
  return rows.map((r) => r.orgId);
}
