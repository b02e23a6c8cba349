// `npm run db:migrate`: applies drizzle/ to DATABASE_URL (or to the PGlite folder when it is unset).
import { openConfiguredDb, openPostgres } from "../src/lib/db";
import { env } from "../src/lib/env";

const url = env().DATABASE_URL;
const handle = url ? await openPostgres(url, { migrate: true }) : await openConfiguredDb();
await handle.close();
console.log(`Migrations applied (${url ? "PostgreSQL at DATABASE_URL" : "PGlite"}).`);
