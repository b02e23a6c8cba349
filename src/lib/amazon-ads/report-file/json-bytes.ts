// Byte-level pieces of JSON for the COPY encoder (copy-encoder.ts). They only ever answer for the
// plain case (a value they can vouch for) or give up (-1); what they give up on is handed whole to
// JSON.parse (validate-row.ts parseElement), whose answer (a row or the right error) is the one that counts.

export const QUOTE = 0x22;
export const BACKSLASH = 0x5c;
export const COMMA = 0x2c;
export const COLON = 0x3a;
export const OPEN_BRACE = 0x7b;
export const CLOSE_BRACE = 0x7d;
export const OPEN_BRACKET = 0x5b;
export const CLOSE_BRACKET = 0x5d;
export const MINUS = 0x2d;
const PLUS = 0x2b;
const DOT = 0x2e;

/** The catalogue's SQL types as small integers, for the encoder's per-value checks. */
export const TEXT = 0;
export const DATE = 1;
export const BIGINT = 2;
export const NUMERIC = 3;

/** Most bytes are above 0x20: one comparison says no (as it does for undefined, past the end). */
export const isWs = (b: number | undefined) => b! <= 0x20 && (b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09);
const isDigit = (b: number | undefined) => b !== undefined && b >= 0x30 && b <= 0x39;

export function skipWs(buf: Uint8Array, i: number, len: number): number {
  while (i < len && isWs(buf[i])) i++;
  return i;
}

/** The end of the strict JSON number at `i` followed by whitespace, "," or "}", or -1; `integer`: -?digits only. */
export function numberEnd(buf: Uint8Array, i: number, len: number, integer: boolean): number {
  if (buf[i] === MINUS) i++;
  if (buf[i] === 0x30) i++;
  else if (isDigit(buf[i])) while (isDigit(buf[++i]));
  else return -1;
  if (buf[i] === DOT || buf[i] === 0x65 || buf[i] === 0x45) {
    if (integer) return -1;
    if (buf[i] === DOT) {
      if (!isDigit(buf[++i])) return -1;
      while (isDigit(buf[++i]));
    }
    if (buf[i] === 0x65 || buf[i] === 0x45) {
      if (buf[i + 1] === PLUS || buf[i + 1] === MINUS) i++;
      if (!isDigit(buf[++i])) return -1;
      while (isDigit(buf[++i]));
    }
  }
  if (i >= len) return -1;
  const b = buf[i];
  return b === COMMA || b === CLOSE_BRACE || isWs(b) ? i : -1;
}

/** Whether the string content buf[from, to) has the shape validate-row.ts accepts for the column type. */
export function shapeOk(type: number, buf: Uint8Array, from: number, to: number): boolean {
  if (type === TEXT) return true;
  if (type === DATE) {
    if (to - from !== 10 || buf[from + 4] !== MINUS || buf[from + 7] !== MINUS) return false;
    for (let k = 0; k < 10; k++) if (k !== 4 && k !== 7 && !isDigit(buf[from + k])) return false;
    return true;
  }
  let i = from;
  if (buf[i] === MINUS) i++;
  const digits = i;
  while (i < to && isDigit(buf[i])) i++;
  if (i === digits) return false;
  if (type === BIGINT) return i === to;
  // NUMERIC: -?\d+(\.\d+)?([eE][-+]?\d+)?
  if (buf[i] === DOT) {
    const start = ++i;
    while (i < to && isDigit(buf[i])) i++;
    if (i === start) return false;
  }
  if (i < to && (buf[i] === 0x65 || buf[i] === 0x45)) {
    i++;
    if (buf[i] === PLUS || buf[i] === MINUS) i++;
    const start = i;
    while (i < to && isDigit(buf[i])) i++;
    if (i === start) return false;
  }
  return i === to;
}

/**
 * Just past the value at `i`, by brackets and quotes alone, or -1 when the bytes run out first; any closing
 * bracket closes any opening one, so even a malformed element ends where brackets balance.
 */
export function valueEnd(buf: Uint8Array, i: number, len: number): number {
  let depth = 0;
  for (; i < len; i++) {
    const b = buf[i];
    if (b === QUOTE) {
      for (i++; i < len && buf[i] !== QUOTE; i++) if (buf[i] === BACKSLASH) i++;
      if (i >= len) return -1;
      if (depth === 0) return i + 1;
    } else if (b === OPEN_BRACE || b === OPEN_BRACKET) depth++;
    else if (b === CLOSE_BRACE || b === CLOSE_BRACKET) {
      if (--depth <= 0) return depth < 0 ? i : i + 1;
    } else if (depth === 0 && (b === COMMA || isWs(b))) return i;
  }
  return -1;
}
