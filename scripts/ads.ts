// `npm run ads -- <command>`: the operator's CLI over the same functions the cron routes call
// (scripts/lib/cli.ts); this file is its process: the exit code, and the database closed first.
import { closeCli, runCli } from "./lib/cli";

const code = await runCli(process.argv.slice(2));
// Closing must not change what the run answered: a failed close is reported, the exit code stays.
await closeCli().catch((error: unknown) =>
  console.error(`warning: closing the database failed: ${(error as Error).message}`),
);
process.exit(code);
