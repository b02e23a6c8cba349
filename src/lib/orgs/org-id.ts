import { InvalidInputError } from "../errors";

/** Postgres `integer`: the largest organisation id there can be. */
const MAX_ORG_ID = 2_147_483_647;

/** An organisation id as written by a user (query string, CLI flag): a positive 32-bit integer. */
export function parseOrgId(value: string, name = "orgId"): number {
  const id = /^[1-9]\d{0,9}$/.test(value) ? Number(value) : NaN;
  if (!(id <= MAX_ORG_ID))
    throw new InvalidInputError(`${name} must be a positive integer, not "${value.slice(0, 40)}"`);
  return id;
}

/** `?orgId=`: one organisation, or null (absent or empty) for "every organisation". */
export function parseOptionalOrgId(value: string | null): number | null {
  return value ? parseOrgId(value) : null;
}
