import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { addDays } from "@/lib/amazon-ads/plan/dates";
import { openPglite } from "@/lib/db";
import { lockPathFor } from "@/lib/db/pglite-lock";
import { runScript } from "../support/spawn";

// The README's first command on the embedded default, as a real process. It always runs on a PGlite
// folder of its own, whatever the backend, so only the db-pglite project runs it (vitest.config.ts).
// Two runs of the demo, each a process of its own: tens of seconds on a busy machine.
describe("npm run demo", { timeout: 180_000 }, () => {
  it("runs the whole sync on a fresh embedded database, history included, prints what landed, and can run twice", async () => {
    const demoDir = fs.mkdtempSync(path.join(os.tmpdir(), "demo-"));
    let printed = new Map<string, number>();
    for (let i = 0; i < 2; i++) {
      const ran = await runScript("scripts/demo.ts", [], {
        DEMO_DATA_DIR: demoDir,
        DATABASE_URL: undefined,
        SETTINGS_ENCRYPTION_KEY: undefined,
        AMAZON_ADS_HISTORY_DAYS: undefined, // the default: Amazon's 95 days
      });
      expect(ran.code, ran.stderr).toBe(0);
      // The spec's five lookbacks, then the new profile's history (4 range reports), all collected.
      expect(ran.stdout).toMatch(
        /Requested 5 report\(s\) for 1 profile\(s\): 5 created; history queued for 1 new profile\(s\)/,
      );
      expect(ran.stdout).toMatch(/History requested 4 report\(s\) for 1 profile\(s\): 4 created/);
      expect(ran.stdout).toMatch(/9 completed \(\d+ rows\), 0 failed/);
      expect(ran.stdout).toMatch(/0 of 94 days loaded/);
      expect(ran.stdout).toMatch(/\bdone\s+\d{4}-\d{2}-\d{2}\.\.\d{4}-\d{2}-\d{2} \(94\)/);
      expect(ran.stdout).toMatch(/Spring "Sale" – Größe 🌸/);
      printed = new Map(
        [...ran.stdout.matchAll(/^\s+1\s+\d+\s+(\d{4}-\d{2}-\d{2})\s+(\d+)\s/gm)].map((m) => [m[1]!, Number(m[2])]),
      );
      expect(printed.size).toBe(31); // the table's last 30 days and one, every one of them loaded
    }
    expect(fs.existsSync(lockPathFor(path.join(demoDir, "pglite")))).toBe(false);
    // What it printed is what it stored: rows per date in the demo's own database; and every day
    // Amazon keeps (yesterday back to day 95) has rows.
    const stored = await openPglite(path.join(demoDir, "pglite"));
    try {
      const result = (await stored.db.execute(
        sql`select date::text as date, count(*)::int as n from amazon_sp_ads where org_id = 1 group by date order by date desc`,
      )) as unknown as { rows: Array<{ date: string; n: number }> };
      const perDate = new Map(result.rows.map((r) => [r.date, r.n]));
      for (const [date, n] of printed) expect(perDate.get(date), date).toBe(n);
      expect(result.rows).toHaveLength(95);
      const newest = result.rows[0]!.date;
      expect(result.rows.at(-1)!.date).toBe(addDays(newest, -94));
    } finally {
      await stored.close();
    }
  });
});
