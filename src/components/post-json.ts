/** POSTs `body` as JSON to the app's own API; null when the server cannot be reached. */
export function postJson(url: string, body: unknown): Promise<Response | null> {
  const init = { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) };
  return fetch(url, init).catch(() => null);
}
