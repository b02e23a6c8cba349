// Plain-text tables for the CLI and the demo.
import type { StatusReport, SyncRun, WorkerRun } from "../../src/lib/amazon-ads";
import type { MemberSummary, OrganisationSummary } from "../../src/lib/orgs/organisations";

export function table(headers: string[], rows: Array<Array<string | number | null | undefined>>): string {
  const cells = rows.map((r) => r.map((c) => (c === null || c === undefined ? "" : String(c))));
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => r[i]!.length)));
  const line = (r: string[]) =>
    r
      .map((c, i) => (/^-?[\d.]+$/.test(c) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join("  ")
      .trimEnd();
  return [line(headers), widths.map((w) => "-".repeat(w)).join("  "), ...cells.map(line)].join("\n");
}

const ago = (d: Date | null) => (d ? `${Math.round((Date.now() - d.getTime()) / 60_000)} min` : "");

export function formatRun(run: SyncRun): string {
  const out: string[] = [];
  for (const org of run.organisations) {
    out.push(
      `org ${org.orgId} ${org.job}: ${org.status.toUpperCase()} — ${org.message} (${org.amazonCalls} Amazon calls, ${(org.durationMs / 1000).toFixed(1)} s)`,
    );
    for (const p of org.profiles) {
      const where = p.timezone ? ` (${p.region ?? "?"}, ${p.timezone})` : "";
      out.push(`  profile ${p.profileId}${where}: ${p.status.toUpperCase()} — ${p.message}`);
      for (const r of org.reports.filter((r) => r.profileId === p.profileId)) {
        const range = r.startDate === r.endDate ? r.startDate : `${r.startDate}..${r.endDate}`;
        out.push(
          `    ${range}  ${r.kind}${r.kind === "daily" ? ` d-${r.lookbackDays}` : ""}  ${r.outcome}${r.rows !== undefined ? `  ${r.rows} rows` : ""}${r.error ? `  — ${r.error}` : ""}`,
        );
      }
    }
    for (const w of org.warnings) out.push(`  warning: ${w}`);
  }
  if (run.organisations.length === 0) out.push("No organisation has Amazon Ads credentials yet.");
  return out.join("\n");
}

const FINISHED = new Set(["completed", "failed", "timed_out"]);

export function formatWorker(run: WorkerRun): string {
  const { discover, profile, report } = run.units;
  // A report unit is one poll: a report still generating is claimed again, so polls outnumber reports.
  const finished = new Set(
    run.organisations.flatMap((o) =>
      o.job === "collect"
        ? o.reports.filter((r) => FINISHED.has(r.outcome)).map((r) => `${o.orgId}:${r.reportId}`)
        : [],
    ),
  ).size;
  const head =
    `worker ${run.workerId}: ${run.status.toUpperCase()} — ${discover + profile + report} unit(s) ` +
    `(${discover} discovery, ${profile} profile, ${report} report poll(s); ${finished} report(s) finished), ` +
    `${run.rows} rows, ${run.amazonCalls} Amazon calls, ` +
    `stopped: ${run.stoppedBecause}${run.error ? ` (${run.error})` : ""}, ${(run.durationMs / 1000).toFixed(1)} s`;
  const orgs = formatRun({ job: "collect", status: run.status, organisations: run.organisations });
  return run.organisations.length ? `${head}\n${orgs}` : head;
}

/** Each profile's history: queued, N of M days loaded, done, or failed with why and when it is tried again. */
export function formatHistory(history: StatusReport["history"]): string {
  const title = "History (a new profile's past days, asked for once when the daily run first sees it)";
  if (!history.length) return `${title}\n  (none queued)`;
  return `${title}\n${table(
    ["org", "profile", "state", "days", "error", "tried again from"],
    history.map((h) => [
      h.orgId,
      h.profileId,
      h.state === "loading" ? `${h.daysLoaded} of ${h.daysTotal} days loaded` : h.state,
      h.from ? `${h.from}..${h.to} (${h.daysTotal})` : "",
      h.error,
      h.retryFrom === null ? "" : h.retryFrom.slice(0, 16).replace("T", " "),
    ]),
  )}`;
}

export function formatStatus(status: StatusReport): string {
  const parts: string[] = [];
  parts.push("Daily phase 1 (units for the workers: one per organisation, then one per profile)");
  parts.push(
    status.phaseOne.length
      ? table(
          ["day", "pending", "done", "failed"],
          status.phaseOne.map((d) => [d.runDate, d.pending, d.done, d.failed]),
        )
      : "  (none queued in the last 3 days)",
  );
  parts.push(
    "",
    "Amazon limits (calls at once per LwA client id and region; they adapt: + while calls succeed, halved on a 429)",
  );
  parts.push(
    status.clients.length
      ? table(
          ["client key", "limit", "in use", "backing off until", "strikes"],
          status.clients.map((c) => [
            c.key,
            c.limit === null ? "start" : c.limit.toFixed(1),
            c.inUse,
            c.backingOffUntil ?? "",
            c.strikes,
          ]),
        )
      : "  (none learnt yet: every key at its start)",
  );
  parts.push("", formatHistory(status.history));
  parts.push("", "Pending reports");
  parts.push(
    status.open.length
      ? table(
          ["org", "profile", "report", "dates", "kind", "age", "polls", "amazon", "last error"],
          status.open.map((r) => [
            r.orgId,
            r.profileId,
            r.reportId.slice(0, 8),
            r.reportDate === r.reportEndDate ? r.reportDate : `${r.reportDate}..${r.reportEndDate}`,
            r.kind,
            ago(r.createdAt),
            r.attempts,
            r.amazonStatus,
            r.error,
          ]),
        )
      : "  (none)",
  );
  parts.push("", "Missing dates (their last request failed; retried with growing spacing)");
  parts.push(
    status.missing.length
      ? table(
          ["org", "profile", "dates", "retries", "next retry", "last error"],
          status.missing.map((m) => [
            m.orgId,
            m.profileId,
            m.startDate === m.endDate ? m.startDate : `${m.startDate}..${m.endDate}`,
            m.retries,
            m.nextRetryFrom === null ? "given up" : m.nextRetryFrom.slice(0, 16).replace("T", " "),
            m.error,
          ]),
        )
      : "  (none)",
  );
  parts.push("", "Last runs (sync_logs)");
  parts.push(
    status.runs.length
      ? table(
          ["org", "job", "status", "started", "took", "message"],
          status.runs.map((r) => [
            r.orgId,
            r.job,
            r.status,
            r.startedAt.toISOString().slice(0, 19).replace("T", " "),
            r.finishedAt ? `${((r.finishedAt.getTime() - r.startedAt.getTime()) / 1000).toFixed(1)}s` : "running",
            (r.message ?? "").slice(0, 100),
          ]),
        )
      : "  (none)",
  );
  parts.push("", "Rows per date, last 30 days (compare with Amazon's console; 'final' = the 30-day restatement is in)");
  parts.push(
    status.daily.length
      ? table(
          ["org", "profile", "date", "campaigns", "impressions", "clicks", "cost", "sales14d", "lookback", "final"],
          status.daily.map((d) => [
            d.orgId,
            d.profileId,
            d.date,
            d.rows,
            d.impressions,
            d.clicks,
            d.cost,
            d.sales14d,
            `d-${d.minMaxLookbackDays}`,
            d.minMaxLookbackDays >= 30 ? "yes" : "no",
          ]),
        )
      : "  (no rows yet)",
  );
  return parts.join("\n");
}

export function formatOrganisations(orgs: OrganisationSummary[]): string {
  if (orgs.length === 0) return "No organisation yet (the first one comes with the first admin: open the app).";
  return table(
    ["org", "name", "members", "admins"],
    orgs.map((o) => [o.orgId, o.name, o.members, o.admins.join(", ")]),
  );
}

export function formatMembers(members: MemberSummary[]): string {
  if (members.length === 0) return "No members.";
  return table(
    ["email", "role", "name", "joined"],
    members.map((m) => [m.email, m.role, m.name, m.joinedAt.toISOString().slice(0, 10)]),
  );
}
