"use client";

import { useEffect, useRef, useState } from "react";
import { CONNECT_RESULTS, type ConnectResult } from "@/lib/settings/connect-result";
import type { FormField, SectionKey } from "@/lib/settings/schema";
import { describedBy, FieldNotes, LockedInput } from "./LockedInput";
import { postJson } from "./post-json";

interface Props {
  section: SectionKey;
  title: string;
  fields: FormField[];
  saved: Record<string, string> | null;
  testUrl: string;
  orgQuery: string;
  /** Shown when the section (re)mounts: the page remounts it with the saved values after a save. */
  initialStatus?: string;
  /** Where "Connect with Amazon" starts (the Ads API section only). */
  connectUrl?: string;
  /** The server's own app, which an organisation naming no client ID signs in with; null when it has none. */
  operatorClientId?: string | null;
  /** How the last Connect with Amazon ended (from the callback's redirect); a success runs Test connection. */
  connectResult?: ConnectResult;
  onSaved(settings: Sections, message: string): void;
}

export type Sections = Record<string, Record<string, string> | null>;

type Status = { kind: "ok" | "bad"; text: string; details?: string[] } | null;

/** One credentials section: its own form state, its own Save and Test connection buttons. */
export function SettingsSection({
  section,
  title,
  fields,
  saved,
  testUrl,
  orgQuery,
  initialStatus,
  connectUrl,
  operatorClientId = null,
  connectResult,
  onSaved,
}: Props) {
  // The parent remounts this (key) when the saved values change, so initial state is enough.
  const [values, setValues] = useState<Record<string, string>>(() =>
    // A select with no default still shows its first option, so that is what the form holds.
    Object.fromEntries(fields.map((f) => [f.name, saved?.[f.name] ?? f.defaultValue ?? f.options?.[0]?.value ?? ""])),
  );
  // Only saved secrets lock (masked, behind Edit); identifiers are edited in place.
  const [locked, setLocked] = useState<Record<string, boolean>>(() =>
    Object.fromEntries(fields.map((f) => [f.name, Boolean(saved?.[f.name]) && f.secret])),
  );
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [status, setStatus] = useState<Status>(initialStatus ? { kind: "ok", text: initialStatus } : null);
  const [busy, setBusy] = useState<"save" | "test" | "connect" | null>(null);
  const [connectNotice] = useState(() => connectResult && CONNECT_RESULTS[connectResult]);

  // A saved secret unlocked and left empty is removed on Save (null); locked, its mask keeps it.
  const formValues = (): Record<string, string | null> =>
    Object.fromEntries(
      fields.map((f) => {
        if (locked[f.name]) return [f.name, saved?.[f.name] ?? ""];
        const value = values[f.name] ?? "";
        return [f.name, f.secret && saved?.[f.name] && value.trim() === "" ? null : value];
      }),
    );

  // A result appears below the buttons, often under the fold: brought into view, or nothing seems to happen.
  const statusBox = useRef<HTMLDivElement>(null);
  const connectBox = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (status) statusBox.current?.scrollIntoView({ block: "center" });
  }, [status]);
  useEffect(() => {
    if (connectNotice) connectBox.current?.scrollIntoView({ block: "center" });
  }, [connectNotice]);

  async function post(action: "save" | "test" | "connect", url: string, body: unknown) {
    setBusy(action);
    setStatus(null);
    const response = await postJson(url + orgQuery, body);
    const json = (await response?.json().catch(() => null)) as Record<string, unknown> | null;
    return { response, json };
  }

  function fail(json: Record<string, unknown> | null, fallback: string) {
    const fieldErrors = (json?.fields ?? {}) as Record<string, string>;
    setErrors(Object.fromEntries(Object.entries(fieldErrors).map(([k, v]) => [k.replace(`${section}.`, ""), v])));
    setStatus({ kind: "bad", text: String(json?.message ?? fallback) });
  }

  async function save() {
    const { response, json } = await post("save", "/api/settings", { [section]: formValues() });
    setBusy(null);
    if (!response?.ok || !json) return fail(json, "Saving failed; check your connection and try again.");
    setErrors({});
    if (Array.isArray(json.unchanged) && json.unchanged.includes(section))
      setStatus({ kind: "ok", text: "Nothing changed: these are the values already saved." });
    else onSaved(json.settings as Sections, "Saved. Secrets are stored encrypted and shown masked.");
  }

  // After a successful connection, Test connection lists the login's profiles: once per mount (a ref, so a
  // development double effect does not test twice).
  const autoTested = useRef(false);
  useEffect(() => {
    if (autoTested.current || !connectResult || !CONNECT_RESULTS[connectResult].ok) return;
    autoTested.current = true;
    void test();
    // Only on mount: connectResult does not change while this section is mounted.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  // Needs only an app: the organisation's own (ID and secret), or with no client ID the server's.
  const ownApp = Boolean(formValues().client_id?.trim());
  const canConnect = ownApp ? Boolean(formValues().client_secret?.trim()) : operatorClientId !== null;
  const labelOf = (name: string) => fields.find((f) => f.name === name)?.label ?? name;
  const whichApp = ownApp
    ? `Connect with Amazon uses your own Login with Amazon app (the ${labelOf("client_id")} above).${canConnect ? "" : ` Enter its ${labelOf("client_secret")} first.`}`
    : operatorClientId
      ? `Connect with Amazon uses this server's app (${operatorClientId}): nothing to type. To use an app of your own instead, enter its ${labelOf("client_id")} and ${labelOf("client_secret")}.`
      : `Connect with Amazon needs only the ${labelOf("client_id")} and ${labelOf("client_secret")} of your Login with Amazon app (this server has no app of its own). Enter the ${labelOf("client_id")} and ${labelOf("client_secret")} first.`;

  async function connect() {
    if (!connectUrl) return;
    const { response, json } = await post("connect", connectUrl, formValues());
    if (response?.ok && typeof json?.url === "string") {
      // Amazon's consent page; it sends the browser back to our callback, which returns to /settings.
      window.location.assign(json.url);
      return;
    }
    setBusy(null);
    fail(json, "Connect with Amazon could not start; try again.");
  }

  async function test() {
    const { response, json } = await post("test", testUrl, formValues());
    setBusy(null);
    if (!response?.ok || !json) return fail(json, "The test could not run; try again.");
    setErrors({});
    const details = Array.isArray(json.details) ? (json.details as string[]) : undefined;
    setStatus({ kind: json.ok ? "ok" : "bad", text: String(json.message), details });
  }

  return (
    <section aria-labelledby={`${section}-heading`}>
      <h2 id={`${section}-heading`}>{title}</h2>
      {fields.map((f) =>
        f.options ? (
          <div key={f.name}>
            <label htmlFor={`${section}-${f.name}`}>{f.label}</label>
            <select
              id={`${section}-${f.name}`}
              value={values[f.name] ?? ""}
              onChange={(e) => setValues({ ...values, [f.name]: e.target.value })}
              aria-invalid={errors[f.name] ? true : undefined}
              aria-describedby={describedBy(`${section}-${f.name}`, f.help, errors[f.name])}
            >
              {f.options.map((o) => (
                <option key={o.value} value={o.value}>
                  {o.label}
                </option>
              ))}
            </select>
            <FieldNotes id={`${section}-${f.name}`} help={f.help} error={errors[f.name]} />
          </div>
        ) : (
          <LockedInput
            key={f.name}
            id={`${section}-${f.name}`}
            label={f.label}
            secret={f.secret}
            help={f.help}
            savedValue={saved?.[f.name] ?? ""}
            value={values[f.name] ?? ""}
            locked={locked[f.name] ?? false}
            error={errors[f.name]}
            onChange={(v) => setValues((prev) => ({ ...prev, [f.name]: v }))}
            onLockedChange={(l) => setLocked((prev) => ({ ...prev, [f.name]: l }))}
          />
        ),
      )}
      <div className="actions">
        <button type="button" onClick={save} disabled={busy !== null}>
          {busy === "save" ? "Saving…" : "Save"}
        </button>
        <button type="button" className="secondary" onClick={test} disabled={busy !== null}>
          {busy === "test" ? "Testing…" : "Test connection"}
        </button>
        {connectUrl && (
          <button
            type="button"
            className="secondary"
            onClick={connect}
            disabled={busy !== null || !canConnect}
            aria-describedby={`${section}-connect-help`}
          >
            {busy === "connect" ? "Opening Amazon…" : "Connect with Amazon"}
          </button>
        )}
      </div>
      {connectUrl && (
        <p className="help" id={`${section}-connect-help`} data-testid={`${section}-connect-help`}>
          {whichApp} It opens Amazon&apos;s consent page; when you allow access there, the {labelOf("refresh_token")} is
          fetched and saved (encrypted) for you.
        </p>
      )}
      {connectNotice && (
        <div
          ref={connectBox}
          className={`status ${connectNotice.ok ? "ok" : "bad"}`}
          role="status"
          data-testid={`${section}-connect-status`}
        >
          {connectNotice.message}
        </div>
      )}
      {status && (
        <div ref={statusBox} className={`status ${status.kind}`} role="status" data-testid={`${section}-status`}>
          {status.text}
          {status.details && (
            <ul>
              {status.details.map((d) => (
                <li key={d}>{d}</li>
              ))}
            </ul>
          )}
        </div>
      )}
    </section>
  );
}
