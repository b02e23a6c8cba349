import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { openPglite } from "@/lib/db";
import { lockPathFor } from "@/lib/db/pglite-lock";
import { runScript } from "../support/spawn";

// The README's first command on the embedded default, as a real process. It always runs on a PGlite
// folder of its own, whatever the backend, so only the db-pglite project runs it (vitest.config.ts).
// Two runs of the demo, each a process of its own: tens of seconds on a busy machine.
describe("npm run demo", { timeout: 180_000 }, () => {
  it("runs the whole sync on a fresh embedded database, prints what landed, and can run twice", async () => {
    const demoDir = fs.mkdtempSync(path.join(os.tmpdir(), "demo-"));
    let printed = new Map<string, number>();
    for (let i = 0; i < 2; i++) {
      const ran = await runScript("scripts/demo.ts", [], {
        DEMO_DATA_DIR: demoDir,
        DATABASE_URL: undefined,
        SETTINGS_ENCRYPTION_KEY: undefined,
      });
      expect(ran.code, ran.stderr).toBe(0);
      expect(ran.stdout).toMatch(/5 created/);
      expect(ran.stdout).toMatch(/5 completed \((\d+) rows\)/);
      const rows = Number(/5 completed \((\d+) rows\)/.exec(ran.stdout)![1]);
      const perDate = [...ran.stdout.matchAll(/^\s*1\s+\d+\s+\d{4}-\d{2}-\d{2}\s+(\d+)\s/gm)].map((m) => Number(m[1]));
      expect(perDate).toHaveLength(5);
      expect(perDate.reduce((a, b) => a + b, 0)).toBe(rows);
      expect(ran.stdout).toMatch(/Spring "Sale" – Größe 🌸/);
      printed = new Map(
        [...ran.stdout.matchAll(/^\s+1\s+\d+\s+(\d{4}-\d{2}-\d{2})\s+(\d+)\s/gm)].map((m) => [m[1]!, Number(m[2])]),
      );
    }
    expect(fs.existsSync(lockPathFor(path.join(demoDir, "pglite")))).toBe(false);
    // What it printed is what it stored: rows per date in the demo's own database.
    const stored = await openPglite(path.join(demoDir, "pglite"));
    try {
      const result = (await stored.db.execute(
        sql`select date::text as date, count(*)::int as n from amazon_sp_ads where org_id = 1 group by date`,
      )) as unknown as { rows: Array<{ date: string; n: number }> };
      expect(new Map(result.rows.map((r) => [r.date, r.n]))).toEqual(printed);
    } finally {
      await stored.close();
    }
  });
});
