import type { VerifyReport } from "../../src/lib/amazon-ads";
import { table } from "./print";

/** `npm run ads -- verify` for people: one line per profile and date, flags at the end of the line. */
export function formatVerify(report: VerifyReport): string {
  const header = [
    "profile",
    "date",
    "cur",
    "rows",
    "impressions",
    "clicks",
    "cost",
    "sales14d",
    "loaded at ages",
    "final",
    "cost moved",
    "sales14d moved",
    "first loaded",
    "last loaded",
    "flags",
  ];
  const lines = report.days.map((d) => [
    `${d.orgId}/${d.profileId}`,
    d.date,
    d.currency ?? "-",
    String(d.rows),
    d.impressions,
    d.clicks,
    d.cost,
    d.sales14d,
    d.loadedAtAges.length ? d.loadedAtAges.join(",") : "-",
    d.final ? "yes" : "no",
    d.costMoved ?? "-",
    d.sales14dMoved ?? "-",
    d.firstLoadedAt?.slice(0, 16).replace("T", " ") ?? "-",
    d.lastLoadedAt?.slice(0, 16).replace("T", " ") ?? "-",
    [
      ...d.flags.map((f) => (f === "suspect-column" ? `${f} (${d.nullFamilies.join(", ")} null)` : f)),
      ...(d.retryState ? [d.retryState] : []),
    ].join("; "),
  ]);
  const summary = report.flagged
    ? `${report.flagged} of ${report.days.length} day(s) flagged, ${report.from} to ${report.to}.`
    : `Nothing flagged: ${report.days.length} day(s), ${report.from} to ${report.to}.`;
  if (!report.days.length) return `No data and no requests ${report.from} to ${report.to}.`;
  return [table(header, lines), "", summary].join("\n");
}
