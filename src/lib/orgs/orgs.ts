import { asc, eq, sql } from "drizzle-orm";
import { z } from "zod";
import { getAuth } from "../auth/auth";
import { getDb, type DbOrTx } from "../db";
import { memberships, organisations, user } from "../db/schema";
import { ConflictError, InvalidInputError } from "../errors";
import { env } from "../env";
import { logInfo, logWarn } from "../log";

export const newUserSchema = z.strictObject({
  email: z.email("Enter a valid email address").max(254),
  password: z.string().min(8, "The password needs at least 8 characters").max(128, "The password is too long"),
  name: z.string().trim().min(1).max(100).optional(),
});

export async function hasAnyUser(db?: DbOrTx): Promise<boolean> {
  const conn = db ?? (await getDb());
  const [row] = await conn.select({ n: sql<number>`count(*)::int` }).from(user);
  return (row?.n ?? 0) > 0;
}

/** Creates an email+password user through better-auth (its hashing, its tables). */
export async function createUserWithPassword(
  input: z.infer<typeof newUserSchema>,
): Promise<{ id: string; email: string }> {
  const { email, password, name } = newUserSchema.parse(input);
  const ctx = await (await getAuth()).$context;
  const normalised = email.toLowerCase();
  if (await ctx.internalAdapter.findUserByEmail(normalised))
    throw new ConflictError("conflict", "A user with this email already exists");
  const created = await ctx.internalAdapter.createUser(
    { email: normalised, name: name ?? normalised.split("@")[0]!, emailVerified: true },
    { method: "admin" },
  );
  await ctx.internalAdapter.linkAccount({
    providerId: "credential",
    accountId: created.id,
    userId: created.id,
    password: await ctx.password.hash(password),
  });
  return { id: created.id, email: created.email };
}

export async function createOrganisation(name: string, db?: DbOrTx): Promise<number> {
  const conn = db ?? (await getDb());
  const [row] = await conn.insert(organisations).values({ name }).returning({ id: organisations.id });
  return row!.id;
}

export async function addMember(orgId: number, userId: string, role: "admin" | "member", db?: DbOrTx) {
  const conn = db ?? (await getDb());
  await conn
    .insert(memberships)
    .values({ orgId, userId, role })
    .onConflictDoUpdate({ target: [memberships.orgId, memberships.userId], set: { role } });
}

export async function membershipsOf(userId: string, db?: DbOrTx) {
  const conn = db ?? (await getDb());
  return conn
    .select({ orgId: memberships.orgId, role: memberships.role, name: organisations.name })
    .from(memberships)
    .innerJoin(organisations, eq(organisations.id, memberships.orgId))
    .where(eq(memberships.userId, userId))
    .orderBy(asc(memberships.orgId));
}

export async function organisationExists(orgId: number, db?: DbOrTx): Promise<boolean> {
  const conn = db ?? (await getDb());
  const [row] = await conn.select({ id: organisations.id }).from(organisations).where(eq(organisations.id, orgId));
  return Boolean(row);
}

export const firstAdminSchema = newUserSchema.extend({
  organisationName: z.string().trim().min(1, "Name the organisation").max(100).default("My organisation"),
});

/**
 * First run: creates organisation 1 and its admin. Organisation 1 is the claim: whoever inserts it
 * wins, so two concurrent setups cannot both create an admin.
 */
export async function setupFirstAdmin(
  input: z.input<typeof firstAdminSchema>,
): Promise<{ userId: string; orgId: number }> {
  const parsed = firstAdminSchema.safeParse(input);
  if (!parsed.success) throw new InvalidInputError(parsed.error.issues.map((i) => i.message).join("; "));
  const db = await getDb();
  if (await hasAnyUser(db)) throw new ConflictError("already_set_up", "This app already has users; sign in instead");
  const claimed = await db
    .insert(organisations)
    .values({ id: 1, name: parsed.data.organisationName })
    .onConflictDoNothing()
    .returning({ id: organisations.id });
  if (claimed.length === 0)
    throw new ConflictError("already_set_up", "Setup is already under way or done; sign in instead");
  // The explicit id 1 leaves the serial behind; move it on so the next organisation gets 2.
  await db.execute(
    sql`select setval(pg_get_serial_sequence('organisations', 'id'), greatest((select max(id) from organisations), 1))`,
  );
  try {
    const { email, password, name } = parsed.data;
    const created = await createUserWithPassword({ email, password, name });
    await addMember(1, created.id, "admin", db);
    return { userId: created.id, orgId: 1 };
  } catch (error) {
    await db.delete(organisations).where(eq(organisations.id, 1));
    throw error;
  }
}

/** ADMIN_EMAIL/ADMIN_PASSWORD: the same first-run setup, headless. Does nothing once a user exists. */
export async function bootstrapAdminFromEnv(): Promise<"created" | "skipped" | "invalid"> {
  const { ADMIN_EMAIL, ADMIN_PASSWORD } = env();
  if (!ADMIN_EMAIL || !ADMIN_PASSWORD) return "skipped";
  if (await hasAnyUser()) return "skipped";
  try {
    await setupFirstAdmin({ email: ADMIN_EMAIL, password: ADMIN_PASSWORD, organisationName: "Organisation 1" });
  } catch (error) {
    if (error instanceof ConflictError) return "skipped";
    // A bad value must not take the login page down with it: the first-visit setup still works.
    // The messages are zod's ("at least 8 characters"), never the values.
    if (error instanceof InvalidInputError) {
      logWarn(`[bootstrap] ADMIN_EMAIL/ADMIN_PASSWORD not used: ${error.message}`);
      return "invalid";
    }
    throw error;
  }
  logInfo(`[bootstrap] Created the first admin ${ADMIN_EMAIL} and organisation 1 from ADMIN_EMAIL/ADMIN_PASSWORD.`);
  return "created";
}
