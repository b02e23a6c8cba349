// The figures as Markdown tables: printed by `npm run bench` and kept in docs/benchmarks.md.
import { checkTargets, ingestRates, type BenchResults } from "./figures";
import { median, type IngestFigures } from "./ingest";

const n = (x: number) => Math.round(x).toLocaleString("en");
const s = (ms: number) => (ms / 1000).toFixed(2);
const mb = (bytes: number) => (bytes / 2 ** 20).toFixed(1);
const x = (v: number, digits: number) => `${v.toFixed(digits)}×`;

function table(headers: string[], rows: Array<Array<string | number>>): string {
  const line = (cells: Array<string | number>) => `| ${cells.join(" | ")} |`;
  return [line(headers), line(headers.map((h) => (/^[a-z]/i.test(h) ? "---" : "---:"))), ...rows.map(line)].join("\n");
}

const spread = (xs: number[]) => (xs.length > 1 ? ` (${s(Math.min(...xs))}–${s(Math.max(...xs))} s)` : "");

function ingestRows(f: IngestFigures): Array<Array<string | number>> {
  const r = ingestRates(f);
  return (["empty", "update"] as const).map((mode) => [
    f.backend,
    n(f.rows),
    mode === "empty" ? "empty table" : "update",
    n(r.collect[mode]),
    n(r.copy),
    n(r.staged[mode]),
    n(r.rowByRow[mode]),
    x(r.collect[mode] / r.copy, 2),
    x(r.staged[mode] / r.copy, 2),
    x(r.collect[mode] / r.rowByRow[mode], 1),
  ]);
}

export function resultsMarkdown(r: BenchResults): string {
  const m = r.machine;
  const out: string[] = [];
  out.push(`Run of ${m.date}: \`${r.command}\`, ${s(r.totalMs)} s in all.`);
  out.push("", `Machine: ${m.cpus}, ${m.memory} RAM, Node ${m.node}; ${m.postgres}; PGlite ${m.pglite}.`);

  out.push(
    "",
    "**Ingest rate of phase 2, rows/s** (collect = download + gunzip + parse + upsert, the real `collectReports`; PostgreSQL: the median of the rounds, run side by side)",
    "",
  );
  out.push(
    table(
      [
        "database",
        "rows",
        "table",
        "collect",
        "COPY ¹",
        "staged upsert ²",
        "row-by-row ³",
        "collect ÷ COPY",
        "staged ÷ COPY",
        "collect ÷ row-by-row",
      ],
      r.ingest.flatMap(ingestRows),
    ),
  );
  const caps = [...new Set(r.ingest.filter((f) => f.rowByRow.rows < f.rows).map((f) => f.rowByRow.rows))];
  out.push(
    "",
    "¹ `COPY amazon_sp_ads (…) FROM STDIN` (PGlite: `FROM '/dev/blob'`) into the empty table, from COPY text prepared before the clock starts (the app's own encoder made it, provenance columns added): the limit of loading. Both collect rows are divided by it.",
    "² SQL only: the same prepared text COPYed into a temporary staging table, then one `INSERT … SELECT … ON CONFLICT DO UPDATE` into amazon_sp_ads with the collect's own SQL (`upsertFrom`), in one transaction: the limit of a bulk upsert.",
    `³ One autocommitted \`INSERT … ON CONFLICT DO UPDATE\` per row (a prepared statement, the collect's SQL)${caps.length ? `, timed over the first ${caps.map(n).join(" / ")} rows of the larger reports and extrapolated as rows/s` : ""}.`,
  );
  const rounds = r.ingest.filter((f) => f.samples.copy.length > 1);
  if (rounds.length) {
    out.push(
      "",
      "**The rounds** (seconds, median and range; each round runs COPY, staged upsert and collect back to back)",
      "",
    );
    out.push(
      table(
        ["database", "rows", "rounds", "COPY", "staged: empty", "staged: update", "collect: empty", "collect: update"],
        rounds.map((f) => [
          f.backend,
          n(f.rows),
          f.samples.copy.length,
          ...[
            f.samples.copy,
            f.samples.stagedEmpty,
            f.samples.stagedUpdate,
            f.samples.collectEmpty,
            f.samples.collectUpdate,
          ].map((xs) => `${s(median(xs))}${spread(xs)}`),
        ]),
      ),
    );
  }

  const busy = r.ingest.filter((f) => f.samples.dbCpuEmpty.some((c) => c !== null));
  if (busy.length) {
    out.push(
      "",
      "**Who is busy during a collect** (median of the rounds, seconds: wall time, CPU of the database's backends read from /proc, CPU of the collecting process; their ratio to wall time in brackets)",
      "",
    );
    const cell = (wall: number[], cpu: Array<number | null>) => {
      const c = median(cpu.filter((x): x is number => x !== null));
      return `${s(c)} (${Math.round((100 * c) / median(wall))} %)`;
    };
    out.push(
      table(
        ["database", "rows", "table", "collect", "PostgreSQL CPU", "Node CPU"],
        busy.flatMap((f) => [
          [
            f.backend,
            n(f.rows),
            "empty table",
            s(median(f.samples.collectEmpty)),
            cell(f.samples.collectEmpty, f.samples.dbCpuEmpty),
            cell(f.samples.collectEmpty, f.samples.appCpuEmpty),
          ],
          [
            f.backend,
            n(f.rows),
            "update",
            s(median(f.samples.collectUpdate)),
            cell(f.samples.collectUpdate, f.samples.dbCpuUpdate),
            cell(f.samples.collectUpdate, f.samples.appCpuUpdate),
          ],
        ]),
      ),
    );
  }

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
        "+ parse to rows",
        "+ encode to COPY text",
        "DB work only ⁵: empty / update",
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
        s(f.encodeMs),
        `${s(f.upsertOnly.empty)} / ${s(f.upsertOnly.update)}`,
        `${s(median(f.samples.collectEmpty))} / ${s(median(f.samples.collectUpdate))}`,
      ]),
    ),
  );
  out.push(
    "",
    "⁴ From the benchmark's S3 stand-in (`scripts/bench/s3-front.ts`), which serves the stored file as S3 does, after the simulator has checked the presigned URL. The collect parses to rows on PGlite and encodes to COPY text on PostgreSQL.",
    "⁵ The collect's own database code over data already in memory, in one transaction: on PostgreSQL `copyUpsert` (COPY into the stage, merges of `MERGE_ROWS`), on PGlite `upsertCampaignRows` per batch of 2,000.",
  );

  if (r.memory.length) {
    out.push(
      "",
      "**Peak memory of a collect** (a child process with Node's default flags; RSS sampled every 20 ms and the kernel's VmHWM, reset before the collect)",
      "",
    );
    out.push(
      table(
        [
          "database",
          "rows",
          "RSS idle before, MB",
          "peak RSS, MB",
          "peak over idle, MB",
          "V8 heap used, peak MB",
          "collect, s",
        ],
        r.memory.map((m) => [
          m.backend,
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
      ["database", "run", "wall, ms", "calls at the simulator (method + path)", "total", "app's count ⁶"],
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
  out.push("", "⁶ `PhaseSummary.amazonCalls` (token + Ads API; the S3 download is not an Ads API call).");

  out.push("", "**Targets** (ingest targets on real PostgreSQL)", "");
  out.push(
    table(
      ["target", "measured", "required", "met"],
      checkTargets(r).map((c) => [c.what, c.value, c.target, c.met ? "met" : "**MISSED**"]),
    ),
  );
  return out.join("\n");
}
