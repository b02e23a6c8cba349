import { isSecretField, SETTINGS_SECTIONS, type SectionKey, type SectionValue } from "./schema";

/** Prefix of every masked secret. A value sent back starting with it means "keep what is stored". */
export const MASK = "••••••••";

export function maskSecret(secret: string): string {
  // Short secrets would give too much away with a tail.
  return secret.length >= 16 ? `${MASK}${secret.slice(-4)}` : MASK;
}

export function maskSection<K extends SectionKey>(section: K, value: SectionValue<K>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(value).map(([field, v]) => [
      field,
      // An empty secret (none saved: the operator's app) stays empty, not a mask of nothing.
      isSecretField(section, field) && v !== "" ? maskSecret(String(v)) : String(v),
    ]),
  );
}

/**
 * Merges a submitted section with the stored one, then validates it. Per field: omitted, or a secret empty or
 * the stored value's mask → the stored value stays; a secret sent as null is removed (validation says whether it
 * may be); anything else replaces it, an empty identifier too (then cleared, or refused as required).
 */
export function restoreAndValidate<K extends SectionKey>(
  section: K,
  submitted: Record<string, string | null | undefined>,
  stored: SectionValue<K> | null,
): { ok: true; value: SectionValue<K> } | { ok: false; errors: Record<string, string> } {
  const merged: Record<string, unknown> = {};
  const errors: Record<string, string> = {};
  const fields = Object.keys(SETTINGS_SECTIONS[section].schema.shape);
  for (const field of fields) {
    const incoming = submitted[field];
    const previous = stored ? (stored as Record<string, unknown>)[field] : undefined;
    if (incoming === null) {
      merged[field] = "";
    } else if (incoming === undefined || (incoming.trim() === "" && isSecretField(section, field))) {
      merged[field] = previous;
    } else if (incoming.startsWith(MASK)) {
      if (previous !== undefined && incoming === maskSecret(String(previous))) merged[field] = previous;
      else
        errors[`${section}.${field}`] =
          "This field shows a masked value that does not match the saved one; type the value again";
    } else {
      merged[field] = incoming;
    }
  }
  const parsed = SETTINGS_SECTIONS[section].schema.safeParse(merged);
  for (const issue of parsed.error?.issues ?? []) {
    const field = issue.path.join(".");
    errors[`${section}.${field}`] ??=
      issue.code === "invalid_type" ? `${humanField(field)} is required` : issue.message;
  }
  if (Object.keys(errors).length > 0 || !parsed.success) return { ok: false, errors };
  return { ok: true, value: parsed.data as SectionValue<K> };
}

const humanField = (field: string) => field.charAt(0).toUpperCase() + field.slice(1).replace(/_/g, " ");
