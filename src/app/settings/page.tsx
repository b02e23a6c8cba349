"use client";

import { useRouter } from "next/navigation";
import { useEffect, useState } from "react";
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
  const router = useRouter();
  const [tab, setTab] = useState<"organisation" | "amazon">("amazon");
  const [sections, setSections] = useState<Sections | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [orgId, setOrgId] = useState<number | null>(null);
  const [orgQuery, setOrgQuery] = useState("");
  const [savedMessage, setSavedMessage] = useState<Record<string, string>>({});

  useEffect(() => {
    let cancelled = false;
    const query = new URLSearchParams(window.location.search).get("orgId");
    const q = query ? `?orgId=${encodeURIComponent(query)}` : "";
    fetchSettings(q).then((result) => {
      if (cancelled) return;
      if (result.kind === "signed-out") return router.replace("/login?next=/settings");
      setOrgQuery(q);
      if (result.kind === "error") return setLoadError(result.message);
      setOrgId(result.orgId);
      setSections(result.settings);
      setLoadError(result.errors.length ? result.errors.join(" ") : null);
    });
    return () => {
      cancelled = true;
    };
  }, [router]);

  async function signOut() {
    await fetch("/api/auth/sign-out", { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
    router.replace("/login");
  }

  return (
    <main>
      <header className="top">
        <h1>Settings{orgId !== null ? ` — organisation ${orgId}` : ""}</h1>
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
            You are signed in to organisation {orgId ?? "…"}. Add <code>?orgId=N</code> to the address to switch
            organisation.
          </p>
        )}
        {tab === "amazon" && sections && (
          <div role="tabpanel">
            <SettingsSection
              key={`amazon:${JSON.stringify(sections.amazon)}`}
              section="amazon"
              title="Amazon SP-API"
              fields={SP_API_FIELDS}
              saved={sections.amazon ?? null}
              testUrl="/api/test/amazon"
              orgQuery={orgQuery}
              initialStatus={savedMessage.amazon}
              onSaved={(s, message) => {
                setSavedMessage({ amazon: message });
                setSections((prev) => ({ ...prev, amazon: s.amazon ?? null }));
              }}
            />
            <hr />
            <SettingsSection
              key={`amazon_ads:${JSON.stringify(sections.amazon_ads)}`}
              section="amazon_ads"
              title="Amazon Ads API"
              fields={ADS_API_FIELDS}
              saved={sections.amazon_ads ?? null}
              testUrl="/api/test/amazon-ads"
              orgQuery={orgQuery}
              initialStatus={savedMessage.amazon_ads}
              onSaved={(s, message) => {
                setSavedMessage({ amazon_ads: message });
                setSections((prev) => ({ ...prev, amazon_ads: s.amazon_ads ?? null }));
              }}
            />
          </div>
        )}
      </div>
    </main>
  );
}

type Loaded =
  | { kind: "signed-out" }
  | { kind: "error"; message: string }
  | { kind: "ok"; orgId: number | null; settings: Sections; errors: string[] };

async function fetchSettings(query: string): Promise<Loaded> {
  const response = await fetch(`/api/settings${query}`).catch(() => null);
  if (response?.status === 401) return { kind: "signed-out" };
  const json = (await response?.json().catch(() => null)) as {
    settings?: Sections;
    orgId?: number;
    message?: string;
    errors?: Record<string, string>;
  } | null;
  if (!response?.ok || !json?.settings)
    return { kind: "error", message: json?.message ?? "The settings could not be loaded." };
  return { kind: "ok", orgId: json.orgId ?? null, settings: json.settings, errors: Object.values(json.errors ?? {}) };
}
