/**
 * Server-side logging. Only messages go out, never request headers or bodies; secrets are passed
 * through redact() before anything is written, as a second line of defence.
 */
const knownSecrets = new Set<string>();

/** Registers values (client secrets, refresh and access tokens) that must never appear in a log line. */
export function registerSecret(value: string | undefined | null) {
  if (value && value.length >= 6) knownSecrets.add(value);
}

export function redact(text: string): string {
  let out = text;
  for (const secret of knownSecrets) if (out.includes(secret)) out = out.split(secret).join("[redacted]");
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
