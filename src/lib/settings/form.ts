import { z } from "zod";
import { getDb } from "../db";
import { InvalidInputError } from "../errors";
import { logError } from "../log";
import { deleteSetting, getSetting, saveSetting } from "./store";
import { maskSection, restoreAndValidate } from "./masking";
import { isSecretField, SECTION_KEYS, SETTINGS_SECTIONS, type SectionKey, type SectionValue } from "./schema";

// What the settings route does, without Next: read masked, apply partial updates.

/** A section as submitted: each field a string, omitted (keep what is stored), or for a secret null (remove it). */
export function sectionFormSchema(section: SectionKey) {
  const fields = Object.keys(SETTINGS_SECTIONS[section].schema.shape);
  return z.strictObject(
    Object.fromEntries(
      fields.map((f) => {
        const text = z.string().max(4096, `${f} is too long`);
        return [f, (isSecretField(section, f) ? text.nullable() : text).optional()];
      }),
    ),
  );
}

/** POST body: any subset of sections; a section set to null is deleted; unknown keys are refused. */
export const settingsUpdateSchema = z.strictObject(
  Object.fromEntries(SECTION_KEYS.map((k) => [k, sectionFormSchema(k).nullable().optional()])) as Record<
    SectionKey,
    z.ZodOptional<z.ZodNullable<ReturnType<typeof sectionFormSchema>>>
  >,
);

async function readStoredSection<K extends SectionKey>(orgId: number, section: K): Promise<SectionValue<K> | null> {
  const raw = await getSetting(orgId, section);
  // Older rows may miss fields that have defaults since (e.g. amazon_ads.region → EU).
  return raw === null ? null : (SETTINGS_SECTIONS[section].schema.parse(raw) as SectionValue<K>);
}

export interface MaskedSettings {
  settings: Partial<Record<SectionKey, Record<string, string> | null>>;
  errors: Partial<Record<SectionKey, string>>;
}

export async function readMaskedSettings(orgId: number): Promise<MaskedSettings> {
  const result: MaskedSettings = { settings: {}, errors: {} };
  for (const section of SECTION_KEYS) {
    try {
      const stored = await readStoredSection(orgId, section);
      result.settings[section] = stored ? maskSection(section, stored) : null;
    } catch (error) {
      logError(`Reading settings "${section}" of org ${orgId} failed`, error);
      result.settings[section] = null;
      result.errors[section] =
        "The saved values could not be read (the encryption key changed or the data is damaged); save them again.";
    }
  }
  return result;
}

/**
 * Applies each submitted section (masked values restored from what is stored); all-or-nothing validation.
 * Answers the sections written (or deleted) and those `unchanged`: they already held exactly these values.
 */
export async function updateSettings(orgId: number, update: z.infer<typeof settingsUpdateSchema>) {
  if (SECTION_KEYS.every((section) => update[section] === undefined))
    throw new InvalidInputError("Nothing to save: send at least one of " + SECTION_KEYS.join(", "));
  const toSave: Array<[SectionKey, unknown | null]> = [];
  const unchanged: SectionKey[] = [];
  const errors: Record<string, string> = {};
  for (const section of SECTION_KEYS) {
    const submitted = update[section];
    if (submitted === undefined) continue;
    // undefined: unreadable, so the user must type every field again, which validation will demand.
    const stored = await readStoredSection(orgId, section).catch(() => undefined);
    if (submitted === null) {
      if (stored === null) unchanged.push(section);
      else toSave.push([section, null]);
      continue;
    }
    const result = restoreAndValidate(section, submitted, stored ?? null);
    if (!result.ok) Object.assign(errors, result.errors);
    else if (stored && sameValues(stored, result.value)) unchanged.push(section);
    else toSave.push([section, result.value]);
  }
  if (Object.keys(errors).length > 0) throw notValid(errors);
  const db = await getDb();
  await db.transaction(async (tx) => {
    for (const [section, value] of toSave) {
      if (value === null) await deleteSetting(orgId, section, tx);
      else await saveSetting(orgId, section, value, tx);
    }
  });
  return { saved: toSave.map(([s]) => s), unchanged };
}

function sameValues(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  return [...new Set([...Object.keys(a), ...Object.keys(b)])].every((k) => a[k] === b[k]);
}

/** The values a "Test connection" button sends: the form as shown, masked secrets restored from storage. */
export async function resolveFormValues<K extends SectionKey>(
  orgId: number,
  section: K,
  submitted: Record<string, string | null | undefined>,
) {
  // Unreadable: the form must carry every value, which validation demands.
  const stored = await readStoredSection(orgId, section).catch(() => null);
  const result = restoreAndValidate(section, submitted, stored);
  if (!result.ok) throw notValid(result.errors);
  return result.value;
}

const notValid = (errors: Record<string, string>) =>
  new InvalidInputError("Some fields are not valid: " + Object.values(errors).join("; "), errors);
