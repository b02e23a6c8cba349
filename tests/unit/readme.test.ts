import fs from "node:fs";
import { describe, expect, it } from "vitest";
import { COLUMNS } from "@/lib/catalogue/sp-campaigns";

describe("README and docs", () => {
  const readme = fs.readFileSync("README.md", "utf8");
  const differences = fs.readFileSync("docs/spec-differences.md", "utf8");
  // From its heading to the next one, or to the end of the file.
  const from = differences.indexOf("## Spec columns that stay NULL");
  const next = differences.indexOf("\n## ", from + 1);
  const nullSection = differences.slice(from, next < 0 ? undefined : next);

  it("docs/spec-differences.md lists every spec column we do not request, and no column we do request", () => {
    expect(from).toBeGreaterThan(0);
    const mentioned = (db: string) => {
      const base = db.replace(/_(1d|7d|14d|30d)$/, "");
      return (
        nullSection.includes(`\`${db}\``) ||
        nullSection.includes(`\`${base}_1d/`) ||
        nullSection.includes(`\`${base}_7d/`)
      );
    };
    for (const c of COLUMNS.filter((x) => !x.requested)) expect(mentioned(c.db), c.db).toBe(true);
    for (const c of COLUMNS.filter((x) => x.requested)) expect(nullSection.includes(`\`${c.db}\``), c.db).toBe(false);
  });

  it("names the two commands", () => {
    expect(readme).toContain("npm install && npm run demo");
    expect(readme).toMatch(/^npm test\s/m);
  });
});
