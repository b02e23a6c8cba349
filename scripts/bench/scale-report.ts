// The scale run's figures as markdown (printed, and on a full run written between the scale markers of
// docs/benchmarks.md; everything else in the doc is left alone).
import fs from "node:fs";
import type { WorkerOptions } from "../../src/lib/amazon-ads";
import {
  fmt,
  fmtDuration,
  musts,
  pollsAtAmazon,
  project,
  sequentialProjection,
  type Projection,
} from "./scale-figures";
import type { ScaleSimConfig } from "./scale-protocol";
import type { ScaleRunFigures } from "./scale-run";

export interface ScaleReportInput {
  command: string;
  date: string;
  machine: string;
  totalSeconds: number;
  revision: string;
  config: ScaleSimConfig;
  /** Report generation and poll waits run this many times faster than at Amazon. */
  timeScale: number;
  realGenerationMs: { min: number; max: number };
  /** The worker's default poll waits (at Amazon's pace). */
  amazonPollDelaysMs: number[];
  worker: WorkerOptions;
  clientConcurrency: number;
  sequential: ScaleRunFigures;
  parallel: ScaleRunFigures;
}

const row = (cells: Array<string | number>) => `| ${cells.join(" | ")} |`;
const s = (ms: number) => `${fmt(ms / 1000, 1)} s`;

function runRows(r: ScaleRunFigures, clientConcurrency: number, seqProjected?: number | null): string[][] {
  const c = r.calls;
  const rowsPerSecond = r.dataInMs ? (r.rows.db * 1000) / r.dataInMs : 0;
  const dataIn =
    seqProjected === undefined
      ? fmtDuration(r.dataInMs)
      : `${fmtDuration(r.dataInMs)} measured; **${fmtDuration(seqProjected)} projected** to the full run's healthy profiles`;
  return [
    ["organisations (healthy)", `${fmt(r.organisations)} (${fmt(r.healthyOrgs)})`],
    [
      "profiles (healthy) / reports expected",
      `${fmt(r.profiles)} (${fmt(r.healthyProfiles)}) / ${fmt(r.expectedReports)}`,
    ],
    ["campaigns of healthy profiles", fmt(r.campaigns)],
    ["**time until every healthy organisation's data is in**", dataIn],
    [
      "dispatches (worker invocations)",
      `${r.dispatches.length} (${r.invocations}): ${r.dispatches.map((d) => `${d.job} ${s(d.wallMs)}`).join(", ")}`,
    ],
    [
      "**longest invocation / budget**",
      `${s(r.longestMs)} / ${s(r.budgetMs)}; ${r.overBudget} over budget (the 3 longest: ${r.slowestMs.map(s).join(", ")})`,
    ],
    ["function time (Σ invocations)", s(r.workerMs)],
    [
      "**units processed twice**",
      `${c.duplicateCreates + c.duplicateDownloads + r.loadedTwice + r.leaseLost} (creates accepted twice ${c.duplicateCreates}, downloads twice ${c.duplicateDownloads}, loaded twice ${r.loadedTwice}, leases lost ${r.leaseLost})`,
    ],
    [
      "**rows in amazon_sp_ads / simulator's truth**",
      `${fmt(r.rows.db)} / ${fmt(r.rows.truth)} (${r.rows.orgsEqual}/${r.rows.orgsChecked} organisations equal; revoked/storm organisations: ${r.rows.unhealthyRows} rows)`,
    ],
    ["reports loaded / failed", `${fmt(r.completedReports)} / ${r.failedReports}`],
    [
      "Amazon calls (token, profiles, create, poll; downloads)",
      `${fmt(c.amazonCalls)} (${["token", "profiles", "create", "poll"].map((k) => fmt(c.byKind[k] ?? 0)).join(", ")}; ${fmt(c.byKind.download ?? 0)})`,
    ],
    [
      "Amazon's answer time as served, mean / p95 (token, profiles, create, poll; download)",
      ["token", "profiles", "create", "poll", "download"]
        .map((k) => (c.latency[k] ? `${fmt(c.latency[k].mean)}/${fmt(c.latency[k].p95)} ms` : "–"))
        .join(", "),
    ],
    ["polls per report (simulator's count, completing poll included)", fmt(c.pollsPerReport, 2)],
    ["**Amazon calls/s, all client ids: peak (1 s window)**", fmt(c.peakPerSecond)],
    [
      `**calls/s per client id** (clientConcurrency ${clientConcurrency}): max / median of each id's peak`,
      `${c.others.maxPerSecond} / ${c.others.medianPerSecond}; most in flight at once: ${c.others.maxInFlight}`,
    ],
    [
      "…of the client ids under a 429 storm",
      c.storm.clients
        ? `${c.storm.maxPerSecond} / ${c.storm.medianPerSecond}; in flight: ${c.storm.maxInFlight}`
        : "none in this run",
    ],
    [
      "**peak Postgres connections** (running a statement)",
      `${r.connections.peak} (${r.connections.peakActive}) of a pool of ${r.poolMax}`,
    ],
    ["**rows/s** (rows ÷ time until the data is in)", fmt(rowsPerSecond)],
    ["CPU: workers' process / simulator / whole machine busy", cpuText(r)],
  ];
}

function cpuText(r: ScaleRunFigures): string {
  const { appMs, simMs, machineBusy, wallMs, cores } = r.cpu;
  const share = (ms: number) => `${fmt((ms / wallMs) * 100)} %`;
  const machine = machineBusy === null ? "?" : `${fmt(machineBusy * 100)} % of ${cores} cores`;
  return `${share(appMs)} / ${simMs === null ? "?" : share(simMs)} of a core; ${machine}`;
}

export function scaleMarkdown(input: ScaleReportInput): { text: string; mustsMissed: boolean } {
  const { config, parallel: p, sequential: q, clientConcurrency } = input;
  const checks = [...musts(p), ...musts(q)];
  const seqProjected = sequentialProjection(q, p);
  const pRows = runRows(p, clientConcurrency);
  const qRows = runRows(q, clientConcurrency, seqProjected);
  const lines: string[] = [];
  lines.push(
    `Run of ${input.date}: \`${input.command}\`, ${fmt(input.totalSeconds)} s in all, app at ${input.revision}. Machine: ${input.machine}.`,
  );
  lines.push("");
  lines.push(
    `Set-up: ${fmt(config.organisations)} organisations, each its own LwA client with 1–5 profiles (EU, NA, FE), ` +
      `campaigns per profile round(5 · 1000^(u^${config.campaignSkew})) (5 … 5,000, most accounts small); ` +
      `Amazon API and token calls take ${config.apiLatencyMs.min}–${config.apiLatencyMs.max} ms (real time); ` +
      `report generation ${fmt(config.generationMs.min)}–${fmt(config.generationMs.max)} ms, i.e. ` +
      `${fmtDuration(input.realGenerationMs.min)}–${fmtDuration(input.realGenerationMs.max)} at Amazon scaled down ${input.timeScale}×, ` +
      `and the waits between polls scaled the same (${(input.worker.pollDelaysMs ?? []).join(", ")} ms); ` +
      `${Math.round(config.faultyShare * 100)} % of the organisations with a revoked refresh token, ${Math.round(config.faultyShare * 100)} % under a 429 storm. ` +
      `Worker budget ${s(p.budgetMs)}, other worker settings the defaults.`,
  );
  lines.push("");
  lines.push(
    row([
      "",
      `W = ${p.workers} workers, all organisations`,
      `1 sequential worker, first ${q.organisations} organisations`,
    ]),
  );
  lines.push(row(["---", "---", "---"]));
  pRows.forEach((r, i) => lines.push(row([r[0]!, r[1]!, qRows[i]![1]!])));
  lines.push("");
  lines.push(`**Musts**: ${checks.every((c) => c.met) ? "all met" : "NOT all met"}.`);
  for (const c of checks.filter((c) => !c.met)) lines.push(`- MISSED: ${c.name}: ${c.detail}`);
  lines.push("");
  lines.push(
    `**Cost per unit** (W = ${p.workers} run; a unit's time is from the statement that leased it to the one that released it, timestamped by a bench-only trigger)`,
  );
  lines.push("");
  lines.push(row(["unit", "units", "per organisation", "mean", "p95", "max", "Σ unit time"]));
  lines.push(row(["---", "---", "---", "---", "---", "---", "---"]));
  for (const c of p.costs)
    lines.push(
      row([
        c.kind,
        fmt(c.units),
        fmt(c.units / p.organisations, 2),
        `${fmt(c.meanMs)} ms`,
        `${fmt(c.p95Ms)} ms`,
        `${fmt(c.maxMs)} ms`,
        s(c.totalMs),
      ]),
    );
  lines.push("");
  const claims = p.claimsPerSecond;
  lines.push(
    `Units took ${fmt((p.costs.reduce((n, c) => n + c.totalMs, 0) / p.workerMs) * 100)} % of the function time; the rest is claims ` +
      `(one advisory lock for all), idle waits for due work and each invocation's bookkeeping. Claims per second: ` +
      `${fmt(claims.mean, 1)} on average over the run, ${claims.peak} at most in a 1-second window. ` +
      `${p.unreleased} leases were never released. ` +
      (p.analyzes
        ? `This server runs without autovacuum: the bench ran ANALYZE once a minute in its place (${p.analyzes}× in the W run).`
        : "No ANALYZE by the bench (the server's autovacuum is on, or `--no-autoanalyze`)."),
  );
  lines.push("");
  lines.push(...projectionLines(input));
  return { text: lines.join("\n"), mustsMissed: !checks.every((c) => c.met) };
}

/** The projection to 10,000 organisations: as measured, and with polls at Amazon's generation times. */
function projectionLines(input: ScaleReportInput): string[] {
  const { parallel: p, sequential: q, clientConcurrency } = input;
  const ws = [p.workers, 100, 250, 500].filter((w, i, all) => all.indexOf(w) === i);
  const pollMs = [p, q].flatMap((r) => r.costs).find((c) => c.kind === "poll")?.meanMs ?? 400;
  const polls = pollsAtAmazon(input.amazonPollDelaysMs, pollMs, input.realGenerationMs);
  const base = { organisations: 10_000, clientConcurrency, workerOptions: ws, pollMs };
  const measured = project(p, base);
  const atAmazon = project(p, { ...base, pollsPerReport: polls });
  const both = (f: (x: Projection) => string) => [f(measured), f(atAmazon)];
  const unitText = (k: Projection["perKind"][number] | undefined) =>
    k ? `${fmt(k.units)} × ${fmt(k.meanMs)} ms = ${fmt(k.seconds / 3600, 1)} h` : "–";
  const lines = [
    `**Projection to ${fmt(atAmazon.organisations)} organisations**: ×${fmt(atAmazon.factor)} the units of each kind measured ` +
      `above, at their measured mean; the same mix of accounts and faults. Polls are what the scaled run understates: its ` +
      `reports are ready ${input.timeScale}× sooner. The right-hand column counts ${fmt(polls, 2)} polls per report instead ` +
      `(completing poll included): what the worker's schedule (${input.amazonPollDelaysMs.map((ms) => ms / 1000).join(", ")} s) ` +
      `takes for generation times spread over ${fmtDuration(input.realGenerationMs.min)}–${fmtDuration(input.realGenerationMs.max)} ` +
      `when workers are there to poll on time, at ${fmt(pollMs)} ms a poll. Function time = unit time ÷ the ` +
      `${fmt(atAmazon.utilisation * 100)} % measured; wall times assume the ${fmt(atAmazon.fill * 100)} % of W × dispatch time ` +
      `the invocations filled here. 1 GB per function assumed.`,
    "",
    row(["per day", "polls as measured (scaled generation)", "polls at Amazon's generation times"]),
    row(["---", "---", "---"]),
  ];
  for (const k of atAmazon.perKind)
    lines.push(row([k.kind, unitText(measured.perKind.find((x) => x.kind === k.kind)), unitText(k)]));
  lines.push(row(["Σ unit time", ...both((x) => `${fmt(x.leaseSeconds / 3600, 1)} h`)]));
  lines.push(
    row([
      "**function time**",
      ...both((x) => `**${fmt(x.functionSeconds / 3600, 1)} h = ${fmt(x.gbHours, 1)} GB-hours**`),
    ]),
  );
  lines.push(row([`invocations of ≤ ${s(p.budgetMs)}, at least`, ...both((x) => fmt(x.minInvocations))]));
  ws.forEach((w, i) => {
    const wall = (x: Projection) =>
      `${fmtDuration(x.options[i]!.wallSeconds * 1000)} in ${x.options[i]!.dispatches} dispatches`;
    lines.push(row([`W = ${w}, dispatched back to back`, ...both(wall)]));
  });
  lines.push(row(["W so that the 12 cron ticks of vercel.json suffice", ...both((x) => `≥ ${x.workersForCronGrid}`)]));
  lines.push(
    row([
      `one client id shared by all, at clientConcurrency ${clientConcurrency}`,
      ...both((x) => `≥ ${fmt(x.sharedClientHours, 1)} h of its units in series`),
    ]),
  );
  return lines;
}

const MARKERS = ["<!-- bench:scale:start -->", "<!-- bench:scale:end -->"] as const;
const HEADING = "## Scale: the cron dispatch of many organisations";

/** Replaces the generated block of the scale section; adds the section (before "Previous figures") the first time. */
export function updateScaleSection(path: string, text: string): void {
  const doc = fs.readFileSync(path, "utf8");
  const block = `${MARKERS[0]}\n${text.trim()}\n${MARKERS[1]}`;
  const i = doc.indexOf(MARKERS[0]);
  const j = doc.indexOf(MARKERS[1]);
  if (i >= 0 && j > i) {
    fs.writeFileSync(path, doc.slice(0, i) + block + doc.slice(j + MARKERS[1].length));
    return;
  }
  const section = `${HEADING}\n\n${block}\n\n`;
  const at = doc.indexOf("## Previous figures");
  fs.writeFileSync(path, at >= 0 ? doc.slice(0, at) + section + doc.slice(at) : `${doc.trimEnd()}\n\n${section}`);
}
