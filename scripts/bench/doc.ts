// Keeps docs/benchmarks.md: the generated "latest" block is replaced on each full run and the one
// it replaces moves to "Previous figures", so a regression shows next to the figures before it.
// Everything outside the markers is written by hand and left alone.
import fs from "node:fs";

const LATEST = ["<!-- bench:latest:start -->", "<!-- bench:latest:end -->"] as const;
const PREVIOUS = ["<!-- bench:previous:start -->", "<!-- bench:previous:end -->"] as const;
/** Older runs stay in git history; the doc keeps this many. */
const KEEP_PREVIOUS = 5;
const RUN_SEPARATOR = "\n\n---\n\n";
const FIRST_RUN = "_None yet: the figures above are the first run._";

const TEMPLATE = `# Benchmarks

${LATEST[0]}
${LATEST[1]}

## Previous figures

${PREVIOUS[0]}
${FIRST_RUN}
${PREVIOUS[1]}
`;

function between(
  doc: string,
  [start, end]: readonly [string, string],
): { before: string; inner: string; after: string } {
  const i = doc.indexOf(start);
  const j = doc.indexOf(end);
  if (i < 0 || j < i) throw new Error(`docs/benchmarks.md lacks the markers ${start} … ${end}`);
  return { before: doc.slice(0, i + start.length), inner: doc.slice(i + start.length, j).trim(), after: doc.slice(j) };
}

export function updateDoc(path: string, latest: string): void {
  const doc = fs.existsSync(path) ? fs.readFileSync(path, "utf8") : TEMPLATE;
  const old = between(doc, LATEST);
  const withLatest = `${old.before}\n${latest.trim()}\n${old.after}`;
  const prev = between(withLatest, PREVIOUS);
  const runs = prev.inner && prev.inner !== FIRST_RUN ? prev.inner.split(RUN_SEPARATOR) : [];
  if (old.inner) runs.unshift(old.inner);
  const kept = runs.slice(0, KEEP_PREVIOUS);
  fs.writeFileSync(path, `${prev.before}\n${kept.length ? kept.join(RUN_SEPARATOR) : FIRST_RUN}\n${prev.after}`);
}
