/**
 * Server-side logging. Only messages go out, never request headers or bodies; secrets are passed
 * through redact() before anything is written, as a second line of defence.
 */

/**
 * How many secrets redact() remembers. Every token fetch re-registers the client secret and refresh
 * token it uses, plus a new access token (hourly per organisation), so the secrets in use are always
 * the most recent ones; 1,000 covers hundreds of organisations' live credentials while keeping
 * memory and the per-line scan of redact() small on a server that runs for months.
 */
export const MAX_REGISTERED_SECRETS = 1_000;

// A Set iterates in insertion order, so deleting and re-adding a value makes it the newest: an LRU.
const knownSecrets = new Set<string>();

function remember(secret: string) {
  knownSecrets.delete(secret);
  knownSecrets.add(secret);
}

/** Registers values (client secrets, refresh and access tokens) that must never appear in a log line. */
export function registerSecret(value: string | undefined | null) {
  if (!value || value.length < 6) return;
  remember(value);
  for (const oldest of knownSecrets) {
    if (knownSecrets.size <= MAX_REGISTERED_SECRETS) break;
    knownSecrets.delete(oldest);
  }
}

/** How many secrets are remembered (the values themselves stay private to this module). */
export function registeredSecretCount(): number {
  return knownSecrets.size;
}

export function redact(text: string): string {
  let out = text;
  const seen: string[] = [];
  for (const secret of knownSecrets) {
    if (!out.includes(secret)) continue;
    out = out.split(secret).join("[redacted]");
    seen.push(secret);
  }
  // A secret that still turns up in log lines is still live: keep it away from eviction.
  for (const secret of seen) remember(secret);
  return out.replace(/(Atz[ar]\|)[A-Za-z0-9._\-|+/=]+/g, "$1[redacted]").replace(/(Bearer\s+)\S+/gi, "$1[redacted]");
}

export function logInfo(message: string) {
  console.log(redact(message));
}

export function logWarn(message: string) {
  console.warn(redact(message));
}

export function logError(message: string, error?: unknown) {
  const detail = error instanceof Error ? `${error.name}: ${error.message}` : error === undefined ? "" : String(error);
  console.error(redact(detail ? `${message}: ${detail}` : message));
}
