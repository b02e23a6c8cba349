"use client";

import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { postJson } from "./post-json";
import { safeNextPath } from "./safe-next";
import { useHydrated } from "./useHydrated";

/** better-auth's error bodies carry a short `message`; anything else (an HTML error page) is ignored. */
async function serverMessage(response: Response): Promise<string | null> {
  const message = ((await response.json().catch(() => null)) as { message?: unknown } | null)?.message;
  return typeof message === "string" && message.length > 0 && message.length <= 200 ? message : null;
}

/** Every failed sign-in gets a visible reason, whatever the server (or the network) answered. */
async function failureMessage(response: Response | null): Promise<string> {
  if (!response) return "Could not reach the server. Check that it is running, then try again.";
  if (response.status === 401) return "Wrong email or password.";
  const detail = await serverMessage(response);
  if (response.status === 403)
    // Usually the page was opened at an address the server does not trust (BETTER_AUTH_URL names another).
    return (
      `The server refused sign-in from ${window.location.origin}${detail ? ` (${detail})` : ""}. ` +
      "Open the app at the address it is configured for."
    );
  return `Signing in failed (HTTP ${response.status}${detail ? `: ${detail}` : ""}); try again.`;
}

export function LoginForm() {
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const hydrated = useHydrated();

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setBusy(true);
    setError(null);
    try {
      const credentials = { email: form.get("email"), password: form.get("password") };
      const response = await postJson("/api/auth/sign-in/email", credentials);
      if (response?.ok)
        router.replace(safeNextPath(new URLSearchParams(window.location.search).get("next"), window.location.origin));
      else setError(await failureMessage(response));
    } catch {
      setError("Signing in failed; try again.");
    } finally {
      setBusy(false);
    }
  }

  return (
    <form method="post" onSubmit={submit}>
      <label htmlFor="email">Email</label>
      <input id="email" name="email" type="email" autoComplete="username" required />
      <label htmlFor="password">Password</label>
      <input id="password" name="password" type="password" autoComplete="current-password" required />
      <div className="actions">
        <button type="submit" disabled={busy || !hydrated}>
          {busy ? "Signing in…" : "Sign in"}
        </button>
      </div>
      {error && (
        <p className="status bad" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}
