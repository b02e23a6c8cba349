"use client";

import { useCallback, useEffect, useState } from "react";
import { SettingsSection, type FieldSpec } from "@/components/SettingsSection";

const SP_API_FIELDS: FieldSpec[] = [
  { name: "client_id", label: "Client ID", help: "amzn1.application-oa2-client.…" },
  { name: "client_secret", label: "Client secret", secret: true },
  { name: "refresh_token", label: "Refresh token", secret: true },
  { name: "marketplace_id", label: "Marketplace ID", help: "e.g. A1F83G8C2ARO7P (UK)" },
];

const ADS_API_FIELDS: FieldSpec[] = [
  { name: "client_id", label: "Client ID", help: "amzn1.application-oa2-client.…" },
  { name: "client_secret", label: "Client secret", secret: true },
  { name: "refresh_token", label: "Refresh token", secret: true },
  { name: "profile_id", label: "Profile ID", help: "The advertiser profile, digits only (e.g. 366822873177837)" },
  {
    name: "region",
    label: "Region",
    help: "The Ads API region of the profile's marketplace",
    options: [
      { value: "EU", label: "Europe (UK, DE, FR, IT, ES, NL, …)" },
      { value: "NA", label: "North America (US, CA, MX, BR)" },
      { value: "FE", label: "Far East (JP, AU, SG)" },
    ],
  },
];

type Sections = Record<string, Record<string, string> | null>;

export default function SettingsPage() {
  const [tab, setTab] = useState<"organisation" | "amazon">("amazon");
  const [sections, setSections] = useState<Sections | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [orgId, setOrgId] = useState<number | null>(null);
  const [orgQuery, setOrgQuery] = useState("");

  const load = useCallback(async () => {
    const query = new URLSearchParams(window.location.search).get("orgId");
    const q = query ? `?orgId=${encodeURIComponent(query)}` : "";
    setOrgQuery(q);
    const response = await fetch(`/api/settings${q}`).catch(() => null);
    if (response?.status === 401) return window.location.assign("/login?next=/settings");
    const json = (await response?.json().catch(() => null)) as { settings?: Sections; orgId?: number; message?: string; errors?: Record<string, string> } | null;
    if (!response?.ok || !json?.settings) return setLoadError(json?.message ?? "The settings could not be loaded.");
    setOrgId(json.orgId ?? null);
    setSections(json.settings);
    const errors = Object.values(json.errors ?? {});
    setLoadError(errors.length ? errors.join(" ") : null);
  }, []);

  useEffect(() => {
    void load();
  }, [load]);

  async function signOut() {
    await fetch("/api/auth/sign-out", { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
    window.location.assign("/login");
  }

  return (
    <main>
      <header className="top">
        <h1>Settings{orgId !== null ? ` — organisation ${orgId}` : ""}</h1>
        <button type="button" className="secondary" onClick={signOut}>Sign out</button>
      </header>
      <div className="card">
        <div className="tabs" role="tablist">
          <button role="tab" aria-selected={tab === "amazon"} onClick={() => setTab("amazon")}>Amazon</button>
          <button role="tab" aria-selected={tab === "organisation"} onClick={() => setTab("organisation")}>Organisation</button>
        </div>
        {loadError && <p className="status bad" role="alert">{loadError}</p>}
        {tab === "organisation" && <p>You are signed in to organisation {orgId ?? "…"}. Add <code>?orgId=N</code> to the address to switch organisation.</p>}
        {tab === "amazon" && sections && (
          <div role="tabpanel">
            <SettingsSection
              section="amazon"
              title="Amazon SP-API"
              fields={SP_API_FIELDS}
              saved={sections.amazon ?? null}
              testUrl="/api/test/amazon"
              orgQuery={orgQuery}
              onSaved={(s) => setSections((prev) => ({ ...prev, amazon: s.amazon ?? null }))}
            />
            <hr />
            <SettingsSection
              section="amazon_ads"
              title="Amazon Ads API"
              fields={ADS_API_FIELDS}
              saved={sections.amazon_ads ?? null}
              testUrl="/api/test/amazon-ads"
              orgQuery={orgQuery}
              onSaved={(s) => setSections((prev) => ({ ...prev, amazon_ads: s.amazon_ads ?? null }))}
            />
          </div>
        )}
      </div>
    </main>
  );
}
