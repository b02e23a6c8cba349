/**
 * The headers every response carries (OWASP ASVS 14.4): a Content-Security-Policy whose scripts run
 * only with this response's nonce (Next.js reads it from the request's CSP header and puts it on its
 * own scripts, which then load the rest: 'strict-dynamic'), no framing, no MIME sniffing, no Referer
 * (the Connect callback's address carries an authorisation code), and HSTS over https in production.
 * Development keeps what `next dev` needs: eval for its refresh, inline styles for its overlay.
 */
export function securityHeaders({ nonce, production, https }: { nonce: string; production: boolean; https: boolean }) {
  const csp = [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${production ? "" : " 'unsafe-eval'"}`,
    `style-src 'self' ${production ? `'nonce-${nonce}'` : "'unsafe-inline'"}`,
    "img-src 'self' data: blob:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    ...(production && https ? ["upgrade-insecure-requests"] : []),
  ].join("; ");
  return {
    "Content-Security-Policy": csp,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
    "Cross-Origin-Opener-Policy": "same-origin",
    ...(production && https ? { "Strict-Transport-Security": "max-age=63072000; includeSubDomains" } : {}),
  };
}

/** A fresh nonce per response: 128 random bits, base64. */
export function newNonce(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return btoa(String.fromCharCode(...bytes));
}
