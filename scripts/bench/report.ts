// The figures as Markdown tables: printed by `npm run bench` and kept in docs/benchmarks.md.
import { checkTargets, rate, type BenchResults } from "./figures";
import type { IngestFigures } from "./ingest";

const n = (x: number) => Math.round(x).toLocaleString("en");
const s = (ms: number) => (ms / 1000).toFixed(2);
const mb = (bytes: number) => (bytes / 2 ** 20).toFixed(1);
const x = (v: number, digits: number) => `${v.toFixed(digits)}×`;

function table(headers: string[], rows: Array<Array<string | number>>): string {
  const line = (cells: Array<string | number>) => `| ${cells.join(" | ")} |`;
  return [line(headers), line(headers.map((h) => (/^[a-z]/i.test(h) ? "---" : "---:"))), ...rows.map(line)].join("\n");
}

function ingestRows(f: IngestFigures): Array<Array<string | number>> {
  return (["empty", "update"] as const).map((mode) => {
    const collect = rate(f.rows, f.collect[mode]);
    const copy = rate(f.rows, f.copy[mode]);
    const rowByRow = rate(f.rowByRow.rows, f.rowByRow[mode]);
    return [
      f.backend,
      n(f.rows),
      mode === "empty" ? "empty table" : "update",
      n(collect),
      n(rate(f.rows, f.upsertOnly[mode])),
      n(copy),
      n(rowByRow),
      x(collect / copy, 2),
      x(collect / rowByRow, 1),
    ];
  });
}

export function resultsMarkdown(r: BenchResults): string {
  const m = r.machine;
  const out: string[] = [];
  out.push(`Run of ${m.date}: \`${r.command}\`, ${s(r.totalMs)} s in all.`);
  out.push("", `Machine: ${m.cpus}, ${m.memory} RAM, Node ${m.node}; ${m.postgres}; PGlite ${m.pglite}.`);

  out.push(
    "",
    "**Ingest rate of phase 2, rows/s** (collect = download + gunzip + parse + upsert, the real `collectReports`)",
    "",
  );
  out.push(
    table(
      [
        "database",
        "rows",
        "table",
        "collect",
        "upsert only ¹",
        "COPY ²",
        "row-by-row ³",
        "collect ÷ COPY",
        "collect ÷ row-by-row",
      ],
      r.ingest.flatMap(ingestRows),
    ),
  );
  const caps = [...new Set(r.ingest.filter((f) => f.rowByRow.rows < f.rows).map((f) => f.rowByRow.rows))];
  out.push(
    "",
    "¹ `upsertCampaignRows` alone over the same rows already in memory, same batches and transaction (SQL only).",
    "² Empty table: `COPY amazon_sp_ads (…) FROM STDIN` (PGlite: `FROM '/dev/blob'`). Update: COPY into a temp table, then one `INSERT … SELECT … ON CONFLICT DO UPDATE` with the collect's own SET clause (COPY cannot update).",
    `³ One autocommitted \`INSERT … ON CONFLICT DO UPDATE\` per row (a prepared statement)${caps.length ? `, timed over the first ${caps.map(n).join(" / ")} rows of the larger reports and extrapolated as rows/s` : ""}.`,
  );

  out.push(
    "",
    "**Where the time of a collect goes** (seconds; each column adds one stage to the one before, on the same file)",
    "",
  );
  out.push(
    table(
      [
        "database",
        "rows",
        "gzip MB",
        "JSON MB",
        "download ⁴",
        "+ gunzip",
        "+ parse (no DB)",
        "upsert only: empty / update",
        "collect: empty / update",
      ],
      r.ingest.map((f) => [
        f.backend,
        n(f.rows),
        mb(f.gzipBytes),
        mb(f.jsonBytes),
        s(f.downloadMs),
        s(f.gunzipMs),
        s(f.parseMs),
        `${s(f.upsertOnly.empty)} / ${s(f.upsertOnly.update)}`,
        `${s(f.collect.empty)} / ${s(f.collect.update)}`,
      ]),
    ),
  );
  out.push(
    "",
    "⁴ From the benchmark's S3 stand-in (`scripts/bench/s3-front.ts`), which serves the stored file as S3 does, after the simulator has checked the presigned URL.",
  );

  if (r.memory.length) {
    out.push(
      "",
      "**Peak memory of a collect** (a child process; RSS sampled every 20 ms and the kernel's VmHWM, reset before the collect)",
      "",
    );
    out.push(
      table(
        [
          "database",
          "V8 old space",
          "rows",
          "RSS before, MB",
          "peak RSS, MB",
          "growth, MB",
          "V8 heap used, peak MB",
          "collect, s",
        ],
        r.memory.map((m) => [
          m.backend,
          m.oldSpaceMb === null ? "default" : `≤ ${m.oldSpaceMb} MB`,
          n(m.rows),
          mb(m.rssBefore),
          mb(m.peak),
          mb(m.peak - m.rssBefore),
          mb(m.heapUsedPeak),
          s(m.ms),
        ]),
      ),
    );
  }

  out.push(
    "",
    `**Phase 1 and the Amazon calls of a happy run** (simulator: ${r.phase1[0]?.latencyMs ?? "?"} ms on each create, reports COMPLETED at the first poll)`,
    "",
  );
  out.push(
    table(
      ["database", "run", "wall, ms", "calls at the simulator (method + path)", "total", "app's count ⁵"],
      r.phase1.flatMap((p) =>
        p.runs.map((run) => [
          p.backend,
          run.run,
          n(run.ms),
          run.calls.map(([k, c]) => `${c} × \`${k}\``).join(", ") +
            (run.createsOverlap === undefined
              ? ""
              : run.createsOverlap
                ? " (creates overlap)"
                : " (creates do NOT overlap)"),
          run.total,
          run.appCount,
        ]),
      ),
    ),
  );
  out.push("", "⁵ `PhaseSummary.amazonCalls` (token + Ads API; the S3 download is not an Ads API call).");

  out.push("", "**Targets** (ingest targets on real PostgreSQL)", "");
  out.push(
    table(
      ["target", "measured", "required", "met"],
      checkTargets(r).map((c) => [c.what, c.value, c.target, c.met ? "met" : "**MISSED**"]),
    ),
  );
  return out.join("\n");
}
