"use client";

import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { postJson } from "./post-json";
import { useHydrated } from "./useHydrated";

export function SetupForm() {
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const hydrated = useHydrated();

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const email = String(form.get("email"));
    const password = String(form.get("password"));
    setBusy(true);
    setError(null);
    const created = await postJson("/api/setup", { email, password, organisationName: form.get("organisationName") });
    if (!created?.ok) {
      setBusy(false);
      const body = (await created?.json().catch(() => null)) as { message?: string } | null;
      setError(body?.message ?? "Setup failed; try again.");
      return;
    }
    await postJson("/api/auth/sign-in/email", { email, password });
    router.replace("/settings");
  }

  return (
    <form method="post" onSubmit={submit}>
      <label htmlFor="organisationName">Organisation name</label>
      <input id="organisationName" name="organisationName" defaultValue="My organisation" required />
      <label htmlFor="email">Admin email</label>
      <input id="email" name="email" type="email" autoComplete="username" required />
      <label htmlFor="password">Password (at least 8 characters)</label>
      <input id="password" name="password" type="password" autoComplete="new-password" minLength={8} required />
      <div className="actions">
        <button type="submit" disabled={busy || !hydrated}>
          {busy ? "Creating…" : "Create admin and sign in"}
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
