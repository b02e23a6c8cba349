import { betterAuth } from "better-auth";
import { drizzleAdapter } from "better-auth/adapters/drizzle";
import crypto from "node:crypto";
import { getDb, type Db } from "../db";
import * as schema from "../db/schema";
import { secretFromEnvOrDataDir } from "../settings/dev-secrets";
import { env } from "../env";
import { developmentLoopbackOrigins } from "./origins";

function createAuth(db: Db) {
  return betterAuth({
    appName: "Amazon Ads Sync",
    secret: secretFromEnvOrDataDir("BETTER_AUTH_SECRET", () => crypto.randomBytes(32).toString("base64")),
    baseURL: env().BETTER_AUTH_URL,
    database: drizzleAdapter(db, {
      provider: "pg",
      schema: {
        user: schema.user,
        session: schema.session,
        account: schema.account,
        verification: schema.verification,
      },
    }),
    // No open registration: the first admin comes from the setup page or ADMIN_EMAIL/ADMIN_PASSWORD.
    emailAndPassword: { enabled: true, disableSignUp: true, minPasswordLength: 8 },
    // Idle timeout (OWASP ASVS 3.3.2): a session unused for 12 hours ends; each use within it, at most
    // every 15 minutes, moves its end 12 hours on.
    session: { expiresIn: 12 * 60 * 60, updateAge: 15 * 60 },
    telemetry: { enabled: false },
    // Its limiter counts in memory, per instance, and with no client address found puts everyone in one
    // bucket (three wrong passwords locked everyone out): the app's own limits, in Postgres, guard the
    // sign-in instead (http/auth-route.ts).
    rateLimit: { enabled: false },
    trustedOrigins: developmentLoopbackOrigins,
    // better-auth skips its origin check whenever NODE_ENV=test or TEST is set (a stray TEST=1 on a
    // server would switch it off); the origin rules must hold everywhere, and be what the tests check.
    advanced: { disableOriginCheck: false },
  });
}

export type Auth = ReturnType<typeof createAuth>;

const authByDb = new WeakMap<Db, Auth>();

/** better-auth bound to the process's database (created lazily: the database opens asynchronously). */
export async function getAuth(): Promise<Auth> {
  const db = await getDb();
  if (!authByDb.has(db)) authByDb.set(db, createAuth(db));
  return authByDb.get(db)!;
}
