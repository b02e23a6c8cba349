// `npm run db:migrate`: applies drizzle/ to DATABASE_URL (or to the PGlite folder when it is unset).
// It is also vercel.json's first build step, and every deployment builds (previews of unmerged
// branches too), so on Vercel it migrates for production deployments only unless a preview opts in.
import { openConfiguredDb, openPostgres } from "../src/lib/db";
import { env, type Env } from "../src/lib/env";

type Decision = { migrate: true; note?: string } | { migrate: false; reason: string };

function decide(e: Env): Decision {
  if (!e.VERCEL || e.VERCEL_ENV === "production") return { migrate: true };
  if (e.VERCEL_ENV === "preview" && e.MIGRATE_ON_PREVIEW === "1")
    return { migrate: true, note: "MIGRATE_ON_PREVIEW=1: migrating this preview deployment's own database." };
  return {
    migrate: false,
    reason:
      `Skipping migrations: this is a Vercel ${e.VERCEL_ENV ?? "(VERCEL_ENV unset)"} build, and only production ` +
      "builds migrate, so that an unmerged branch never changes the production database. A preview with a " +
      "database of its own can opt in: set MIGRATE_ON_PREVIEW=1 and that database's DATABASE_URL on Vercel's " +
      "Preview environment.",
  };
}

async function migrate(url: string | undefined) {
  const handle = url ? await openPostgres(url, { migrate: true }) : await openConfiguredDb();
  await handle.close();
  console.log(`Migrations applied (${url ? "PostgreSQL at DATABASE_URL" : "PGlite"}).`);
}

const e = env();
const decision = decide(e);
if (!decision.migrate) {
  console.log(decision.reason);
} else {
  if (decision.note) console.log(decision.note);
  await migrate(e.DATABASE_URL);
}
