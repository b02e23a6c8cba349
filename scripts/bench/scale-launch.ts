// `npm run bench -- scale --launch-day`: every organisation connects the same morning on the operator's
// app (one client id), so each profile's history (issue 30) comes on top of the day's lookbacks. The
// same organisations run an ordinary day first (history off: every profile already synced), so the
// history's own cost and a day with 1 % new organisations are measured against a baseline of the same run.
import type { ScaleRunFigures } from "./scale-run";

const GOALS = { createsPerProfile: 4, pollsPerReport: 2 };
/** The first day's schedule, from the 09:00 request to the last collect at 21:00 (vercel.json). */
const SCHEDULE_MS = 12 * 3_600_000;

const min = (ms: number | null) =>
  ms === null ? "not all in" : `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
const per1000 = (f: ScaleRunFigures) => (f.calls.adsApiCalls ? (1000 * f.calls.adsApi429) / f.calls.adsApiCalls : 0);
const fnSecondsPerOrg = (f: ScaleRunFigures) => f.workerMs / 1000 / f.organisations;

export function launchDayMarkdown(o: {
  command: string;
  date: string;
  machine: string;
  revision: string;
  timeScale: number;
  ordinary: ScaleRunFigures;
  launch: ScaleRunFigures;
}): { text: string; goalsMissed: boolean } {
  const { ordinary, launch } = o;
  const h = launch.calls.history;
  // Creates Amazon took; the ones it answered 429 were sent again (shown beside).
  const createsPerProfile = (h.createCalls - h.createCalls429) / launch.healthyProfiles;
  const reportsPerProfile = h.reports / launch.healthyProfiles;
  const scale = 10_000 / launch.organisations;
  // Under one client id's rate limit the calls go one after another at its rate: time grows with the count.
  const historyAt10k = launch.historyInMs === null ? null : launch.historyInMs * scale;
  const launchHours10k = (fnSecondsPerOrg(launch) * 10_000) / 3600;
  const ordinaryHours10k = (fnSecondsPerOrg(ordinary) * 10_000) / 3600;
  const onePercentHours = ordinaryHours10k + 0.01 * (launchHours10k - ordinaryHours10k);
  const goalsMissed =
    createsPerProfile > GOALS.createsPerProfile ||
    h.pollsPerReport > GOALS.pollsPerReport ||
    launch.historyInMs === null ||
    launch.historyInMs > SCHEDULE_MS;
  const rows = [
    ["", "ordinary day", "launch day"],
    [
      "organisations / healthy profiles",
      `${ordinary.organisations} / ${ordinary.healthyProfiles}`,
      `${launch.organisations} / ${launch.healthyProfiles}`,
    ],
    [
      "reports created (history)",
      `${ordinary.calls.reportsCreated} (${ordinary.calls.history.reports})`,
      `${launch.calls.reportsCreated} (${h.reports})`,
    ],
    [
      "Ads API calls; 429s per 1,000",
      `${ordinary.calls.adsApiCalls}; ${per1000(ordinary).toFixed(1)}`,
      `${launch.calls.adsApiCalls}; ${per1000(launch).toFixed(1)}`,
    ],
    ["the day's data in after", min(ordinary.dataInMs), min(launch.dataInMs)],
    ["the last history in after", "–", min(launch.historyInMs)],
    [
      "rows stored / Amazon's truth",
      `${ordinary.rows.db} / ${ordinary.rows.truth}`,
      `${launch.rows.db} / ${launch.rows.truth}`,
    ],
    ["function-seconds per organisation", fnSecondsPerOrg(ordinary).toFixed(1), fnSecondsPerOrg(launch).toFixed(1)],
    [
      "invocations over their budget; leases lost",
      `${ordinary.overBudget}; ${ordinary.leaseLost}`,
      `${launch.overBudget}; ${launch.leaseLost}`,
    ],
  ];
  const table = rows.map((r, i) => `| ${r.join(" | ")} |${i === 0 ? `\n|---|---|---|` : ""}`).join("\n");
  const text = `Command: \`${o.command}\` · ${o.date} · ${o.machine} · app at ${o.revision}.
Both runs: the same organisations on one client id (the operator's app) under the simulator's per-client-id
rate limit, ${launch.workers} workers, report generation and poll waits ${o.timeScale}× faster than Amazon's
(calls are not: their latency and the rate limit are real time).

${table}

**History per new profile** (goal: ≤ ${GOALS.createsPerProfile} creates, ≤ ${GOALS.pollsPerReport} polls per history report):
${reportsPerProfile.toFixed(2)} history reports and ${createsPerProfile.toFixed(2)} creates Amazon took per profile
(${(h.createCalls / launch.healthyProfiles).toFixed(2)} create calls: ${h.createCalls429} of ${h.createCalls} answered 429 and sent again); ${h.pollsPerReport.toFixed(2)} polls per
history report (the most: ${h.maxPolls}). History reports: ${launch.historyReports.completed} completed,
${launch.historyReports.failed} failed, ${launch.historyReports.pending} not in.

**Projection to 10,000 organisations** (calls under one client id's limit grow with their number, so the
time does; function time grows with the organisations):
- a launch day (all 10,000 new): the last history in after about ${min(historyAt10k)}
  (goal: inside the first day's ${SCHEDULE_MS / 3_600_000} h schedule), ≈ ${launchHours10k.toFixed(1)} function-hours;
- a day with 1 % new organisations: ≈ ${onePercentHours.toFixed(1)} function-hours
  (an ordinary day: ${ordinaryHours10k.toFixed(1)}).
${goalsMissed ? "\n**A goal was missed** (see above).\n" : ""}`;
  return { text, goalsMissed };
}
