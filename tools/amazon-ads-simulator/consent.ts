import { randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { escapeXml, mediaType, headerValue } from "./http-util";
import type { SimulatorState } from "./state";
import type { Region } from "./types";

// Login with Amazon's consent page, `/{na|eu|fe}/ap/oa` (Amazon: www.amazon.com, eu.account.amazon.com,
// apac.account.amazon.com). The simulator has no Amazon sign-in: the page shows Allow and Cancel at once.
// Allow redirects to redirect_uri with `code`, `scope` and `state`; Cancel with `error=access_denied`.

/** How long a code can be exchanged, on the simulator's `now()` clock (Amazon: 5 minutes, once). */
export const AUTH_CODE_LIFETIME_SECONDS = 300;

/** Amazon Ads' current scope, and the one LwA apps approved before October 2020 may still need. */
export const ACCEPTED_SCOPES = ["advertising::campaign_management", "cpc_advertising:campaign_management"];

interface ConsentRequest {
  clientId: string;
  scope: string;
  redirectUri: string;
  state: string | null;
}

function sendHtml(response: ServerResponse, status: number, title: string, body: string): void {
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeXml(title)}</title></head><body>${body}</body></html>`;
  response.writeHead(status, { "Content-Type": "text/html; charset=utf-8", "Content-Length": Buffer.byteLength(html) });
  response.end(html);
}

/** Amazon shows an error page (it does not redirect) when the request itself is wrong: the same here. */
function validate(state: SimulatorState, params: URLSearchParams): ConsentRequest | string {
  const clientId = params.get("client_id") ?? "";
  // Known when any login has it (an app authorised by many users).
  if (!state.apps.has(clientId)) return "An unknown client_id";
  if (params.get("response_type") !== "code") return "response_type must be code";
  const scope = params.get("scope") ?? "";
  if (!ACCEPTED_SCOPES.includes(scope)) return `An unknown scope: ${scope || "(none)"}`;
  const redirectUri = params.get("redirect_uri") ?? "";
  let parsed: URL;
  try {
    parsed = new URL(redirectUri);
  } catch {
    return "redirect_uri must be an absolute URL";
  }
  // Amazon also requires it among the security profile's Allowed Return URLs; the simulator has none.
  if (parsed.protocol !== "https:" && parsed.protocol !== "http:") return "redirect_uri must be http(s)";
  return { clientId, scope, redirectUri, state: params.get("state") };
}

function redirectBack(response: ServerResponse, request: ConsentRequest, answer: Record<string, string>): void {
  const target = new URL(request.redirectUri);
  for (const [name, value] of Object.entries(answer)) target.searchParams.set(name, value);
  if (request.state !== null) target.searchParams.set("state", request.state);
  response.writeHead(302, { Location: target.toString(), "Content-Length": 0 });
  response.end();
}

export function handleConsent(
  state: SimulatorState,
  request: IncomingMessage,
  response: ServerResponse,
  region: Region,
  url: URL,
  body: string,
): void {
  if (request.method === "GET") {
    const consent = validate(state, url.searchParams);
    if (typeof consent === "string")
      return sendHtml(response, 400, "Login with Amazon error", `<h1>${escapeXml(consent)}</h1>`);
    const hidden = Object.entries({
      client_id: consent.clientId,
      scope: consent.scope,
      response_type: "code",
      redirect_uri: consent.redirectUri,
      ...(consent.state === null ? {} : { state: consent.state }),
    })
      .map(([name, value]) => `<input type="hidden" name="${name}" value="${escapeXml(value)}">`)
      .join("");
    return sendHtml(
      response,
      200,
      "Amazon Ads simulator: consent",
      `<h1>Simulator (${region}): allow access to Amazon Ads?</h1>` +
        `<p>Client <code>${escapeXml(consent.clientId)}</code> asks for <code>${escapeXml(consent.scope)}</code>.</p>` +
        `<form method="post" action="${url.pathname}">${hidden}` +
        `<button type="submit" name="decision" value="allow">Allow</button> ` +
        `<button type="submit" name="decision" value="cancel">Cancel</button></form>`,
    );
  }
  if (
    request.method !== "POST" ||
    mediaType(headerValue(request, "content-type")) !== "application/x-www-form-urlencoded"
  )
    return sendHtml(
      response,
      405,
      "Login with Amazon error",
      "<h1>Open this page with GET, answer it with its form</h1>",
    );
  const form = new URLSearchParams(body);
  const consent = validate(state, form);
  if (typeof consent === "string")
    return sendHtml(response, 400, "Login with Amazon error", `<h1>${escapeXml(consent)}</h1>`);
  if (form.get("decision") !== "allow") {
    return redirectBack(response, consent, {
      error: "access_denied",
      error_description: "The user denied the request",
    });
  }
  const code = `ANsim${randomBytes(15).toString("base64url")}`;
  state.authCodes.set(code, {
    clientId: consent.clientId,
    redirectUri: consent.redirectUri,
    expiresAt: state.now().getTime() + AUTH_CODE_LIFETIME_SECONDS * 1000,
  });
  redirectBack(response, consent, { code, scope: consent.scope });
}
