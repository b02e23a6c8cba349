import { vi } from "vitest";
import { closeDb } from "@/lib/db";
import { runCli } from "../../scripts/lib/cli";
import type { Ran } from "./spawn";

/**
 * `npm run ads -- <args>` in this process: the same runCli that scripts/ads.ts exits with, its
 * console output taken as the process's stdout (log) and stderr (warn, error); then the database is
 * closed, as the process closes it, so that a child can open a PGlite folder next. For the many
 * argument checks, which would otherwise each start a process; the tests still start real ones for
 * what only a process shows.
 */
export async function adsInProcess(...args: string[]): Promise<Ran> {
  let stdout = "";
  let stderr = "";
  const line = (parts: unknown[]) => `${parts.map(String).join(" ")}\n`;
  const spies = [
    vi.spyOn(console, "log").mockImplementation((...p) => void (stdout += line(p))),
    vi.spyOn(console, "warn").mockImplementation((...p) => void (stderr += line(p))),
    vi.spyOn(console, "error").mockImplementation((...p) => void (stderr += line(p))),
  ];
  try {
    return { code: await runCli(args), stdout, stderr };
  } finally {
    for (const spy of spies) spy.mockRestore();
    await closeDb();
  }
}
