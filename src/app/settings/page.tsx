"use client";

import { useRouter } from "next/navigation";
import { Fragment, useEffect, useRef, useState } from "react";
import { SettingsSection, type Sections } from "@/components/SettingsSection";
import { CONNECT_RESULT_PARAM, isConnectResult, type ConnectResult } from "@/lib/settings/connect-result";
import { formFields, SECTION_KEYS, SETTINGS_SECTIONS } from "@/lib/settings/schema";

// From the settings schema, so a field or section added there shows up here without editing this page.
const SECTIONS = SECTION_KEYS.map((key) => ({
  key,
  title: SETTINGS_SECTIONS[key].title,
  testUrl: SETTINGS_SECTIONS[key].testUrl,
  fields: formFields(key),
}));

export default function SettingsPage() {
  const router = useRouter();
  const [tab, setTab] = useState<"organisation" | "amazon">("amazon");
  const [loaded, setLoaded] = useState<Extract<Loaded, { kind: "ok" }> | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [orgQuery, setOrgQuery] = useState("");
  const [savedMessage, setSavedMessage] = useState<Record<string, string>>({});
  const [connectResult, setConnectResult] = useState<ConnectResult | undefined>();
  // The address as the page was opened, read once per mount: the effect below drops amazon_connect from the
  // address, and React runs it twice in development (StrictMode), the second time after the first has.
  const openedWith = useRef<URLSearchParams | null>(null);

  useEffect(() => {
    let cancelled = false;
    openedWith.current ??= new URLSearchParams(window.location.search);
    const query = openedWith.current.get("orgId");
    // Where "Connect with Amazon" ended; dropped from the address so a reload does not show it again.
    const connected = openedWith.current.get(CONNECT_RESULT_PARAM);
    const current = new URLSearchParams(window.location.search);
    if (current.has(CONNECT_RESULT_PARAM)) {
      current.delete(CONNECT_RESULT_PARAM);
      window.history.replaceState(null, "", `${window.location.pathname}${current.size ? `?${current}` : ""}`);
    }
    const q = query ? `?orgId=${encodeURIComponent(query)}` : "";
    fetchSettings(q).then((result) => {
      if (cancelled) return;
      if (result.kind === "signed-out") return router.replace("/login?next=/settings");
      setOrgQuery(q);
      if (result.kind === "error") return setLoadError(result.message);
      setLoaded(result);
      if (isConnectResult(connected)) setConnectResult(connected);
      setLoadError(result.errors.length ? result.errors.join(" ") : null);
    });
    return () => {
      cancelled = true;
    };
  }, [router]);

  const { orgId = null, orgName = null, operatorClientId = null, settings: sections } = loaded ?? {};

  async function signOut() {
    await fetch("/api/auth/sign-out", { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
    router.replace("/login");
  }

  return (
    <main>
      <header className="top">
        <h1>Settings{orgName ? ` — ${orgName}` : orgId !== null ? ` — organisation ${orgId}` : ""}</h1>
        <button type="button" className="secondary" onClick={signOut}>
          Sign out
        </button>
      </header>
      <div className="card">
        <div className="tabs" role="tablist">
          <button role="tab" aria-selected={tab === "amazon"} onClick={() => setTab("amazon")}>
            Amazon
          </button>
          <button role="tab" aria-selected={tab === "organisation"} onClick={() => setTab("organisation")}>
            Organisation
          </button>
        </div>
        {loadError && (
          <p className="status bad" role="alert">
            {loadError}
          </p>
        )}
        {tab === "organisation" && (
          <p>
            You are signed in to {orgName ?? "…"} (organisation {orgId ?? "…"}). Add <code>?orgId=N</code> to the
            address to switch organisation.
          </p>
        )}
        {tab === "amazon" && sections && (
          <div role="tabpanel">
            {SECTIONS.map(({ key, title, testUrl, fields }, i) => (
              <Fragment key={key}>
                {i > 0 && <hr />}
                <SettingsSection
                  key={`${key}:${JSON.stringify(sections[key])}`}
                  section={key}
                  title={title}
                  fields={fields}
                  saved={sections[key] ?? null}
                  testUrl={testUrl}
                  orgQuery={orgQuery}
                  initialStatus={savedMessage[key]}
                  connectUrl={key === "amazon_ads" ? "/api/amazon-ads/connect" : undefined}
                  operatorClientId={key === "amazon_ads" ? operatorClientId : null}
                  connectResult={key === "amazon_ads" ? connectResult : undefined}
                  onSaved={(s, message) => {
                    setConnectResult(undefined);
                    setSavedMessage({ [key]: message });
                    setLoaded((prev) => prev && { ...prev, settings: { ...prev.settings, [key]: s[key] ?? null } });
                  }}
                />
              </Fragment>
            ))}
          </div>
        )}
      </div>
    </main>
  );
}

type Loaded =
  | { kind: "signed-out" }
  | { kind: "error"; message: string }
  | {
      kind: "ok";
      orgId: number | null;
      orgName: string | null;
      operatorClientId: string | null;
      settings: Sections;
      errors: string[];
    };

async function fetchSettings(query: string): Promise<Loaded> {
  const response = await fetch(`/api/settings${query}`).catch(() => null);
  if (response?.status === 401) return { kind: "signed-out" };
  const json = (await response?.json().catch(() => null)) as {
    settings?: Sections;
    orgId?: number;
    orgName?: string;
    operatorApp?: { clientId: string } | null;
    message?: string;
    errors?: Record<string, string>;
  } | null;
  if (!response?.ok || !json?.settings)
    return { kind: "error", message: json?.message ?? "The settings could not be loaded." };
  return {
    kind: "ok",
    orgId: json.orgId ?? null,
    orgName: json.orgName ?? null,
    operatorClientId: json.operatorApp?.clientId ?? null,
    settings: json.settings,
    errors: Object.values(json.errors ?? {}),
  };
}
