/**
 * Users (through better-auth), the first admin, organisations with their admin, and members: behind
 * /api/setup, /api/orgs and `npm run ads -- org`. The callers authorise; these validate and store.
 */
import { and, eq, sql } from "drizzle-orm";
import { z } from "zod";
import { getAuth } from "../auth/auth";
import { getDb, type DbOrTx } from "../db";
import { memberships, organisations, user } from "../db/schema";
import { ConflictError, invalidFields, InvalidInputError, NotFoundError, parseOrInvalid } from "../errors";
import { env } from "../env";
import { logInfo, logWarn } from "../log";
import { addMember, hasAnyUser, organisationName, roleIn, roleSchema } from "./organisations";

export const newUserSchema = z.strictObject({
  email: z.email("Enter a valid email address").max(254),
  password: z.string().min(8, "The password needs at least 8 characters").max(128, "The password is too long"),
  name: z.string().trim().min(1).max(100).optional(),
});

// Stored lower-case, as createUserWithPassword and better-auth's sign-in do, so lookups match.
export const emailSchema = newUserSchema.shape.email.transform((email) => email.toLowerCase());

export const passwordSchema = newUserSchema.shape.password;

const nameSchema = z
  .string("Name the organisation")
  .trim()
  .min(1, "Name the organisation")
  .max(100, "The name is too long (at most 100 characters)");

/** POST /api/orgs: the caller becomes the admin. */
export const newOrganisationSchema = z.strictObject({ name: nameSchema });

/** The operator's `org add`: the first admin is named by email, and created when there is no such user. */
export const newOrganisationWithAdminSchema = z.strictObject({
  name: nameSchema,
  adminEmail: emailSchema,
  adminPassword: passwordSchema.optional(),
});

/** Add a member or change their role. `password` only when the email has no user yet. */
export const memberInputSchema = z.strictObject({
  email: emailSchema,
  role: roleSchema,
  password: passwordSchema.optional(),
});

/** Validation failures as InvalidInputError with a message per field, the shape readJson gives. */
export const parse = <S extends z.ZodType>(schema: S, input: unknown): z.infer<S> =>
  parseOrInvalid(schema, input, "Not valid", "(input)");

/** Creates an email+password user through better-auth (its hashing, its tables). */
export async function createUserWithPassword(input: z.infer<typeof newUserSchema>) {
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

export const firstAdminSchema = newUserSchema.extend({
  organisationName: z.string().trim().min(1, "Name the organisation").max(100).default("My organisation"),
});

/** First run: organisation 1 and its admin; inserting organisation 1 is the claim, so two setups cannot both win. */
export async function setupFirstAdmin(input: z.input<typeof firstAdminSchema>) {
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
    // A bad value must not take the login page down; the messages are zod's, never the values.
    if (error instanceof InvalidInputError) {
      logWarn(`[bootstrap] ADMIN_EMAIL/ADMIN_PASSWORD not used: ${error.message}`);
      return "invalid";
    }
    throw error;
  }
  logInfo(`[bootstrap] Created the first admin ${ADMIN_EMAIL} and organisation 1 from ADMIN_EMAIL/ADMIN_PASSWORD.`);
  return "created";
}

/** A new organisation whose admin is the (already authorised) caller. */
export async function createOrganisationAs(creatorUserId: string, input: z.input<typeof newOrganisationSchema>) {
  const { name } = parse(newOrganisationSchema, input);
  return { orgId: await insertOrganisationWithAdmin(name, creatorUserId), name };
}

/** The operator's `org add`: a new organisation and its first admin (created, with the password, when new). */
export async function createOrganisationWithAdmin(input: z.input<typeof newOrganisationWithAdminSchema>) {
  const { name, adminEmail, adminPassword } = parse(newOrganisationWithAdminSchema, input);
  const admin = await resolveUser(adminEmail, adminPassword, "adminPassword");
  try {
    const orgId = await insertOrganisationWithAdmin(name, admin.userId);
    return { orgId, name, admin: { userId: admin.userId, email: admin.email, userCreated: admin.created } };
  } catch (error) {
    if (admin.created) await deleteUser(admin.userId);
    throw error;
  }
}

/**
 * Adds a user to an organisation or changes their role. A new email needs a password; an existing user's
 * is never set here (an admin of one organisation would take over their account everywhere).
 */
export async function setMember(orgId: number, input: z.input<typeof memberInputSchema>) {
  const { email, role, password } = parse(memberInputSchema, input);
  const db = await getDb();
  await organisationName(orgId, db); // before a user is created for an organisation that is not there
  const target = await resolveUser(email, password, "password");
  try {
    return await db.transaction(async (tx) => {
      const orgName = await organisationName(orgId, tx, true);
      const previousRole = await roleIn(target.userId, orgId, tx);
      if (previousRole === "admin" && role !== "admin") await keepAnAdmin(tx, orgId, target.email);
      if (previousRole !== role) await addMember(orgId, target.userId, role, tx);
      const membership = previousRole === null ? "added" : previousRole === role ? "unchanged" : "updated";
      const { userId, email, created: userCreated } = target;
      return { orgId, orgName, userId, email, role, userCreated, membership, previousRole };
    });
  } catch (error) {
    if (target.created) await deleteUser(target.userId);
    throw error;
  }
}

async function insertOrganisationWithAdmin(name: string, adminUserId: string): Promise<number> {
  const db = await getDb();
  return db.transaction(async (tx) => {
    const [row] = await tx.insert(organisations).values({ name }).returning({ id: organisations.id });
    await addMember(row!.id, adminUserId, "admin", tx);
    return row!.id;
  });
}

/** The user an email names, created with `password` when there is none. */
async function resolveUser(email: string, password: string | undefined, passwordField: string) {
  const db = await getDb();
  const [existing] = await db.select({ id: user.id, email: user.email }).from(user).where(eq(user.email, email));
  if (existing) {
    if (password !== undefined)
      throw invalidFields({
        [passwordField]: `${email} already has an account and keeps its password: leave the password out`,
      });
    return { userId: existing.id, email: existing.email, created: false };
  }
  if (password === undefined)
    throw invalidFields({
      [passwordField]: `${email} has no account yet: give a password (at least 8 characters) to create it`,
    });
  // A concurrent creation of the same email surfaces as createUserWithPassword's ConflictError.
  const created = await createUserWithPassword({ email, password });
  return { userId: created.id, email: created.email, created: true };
}

/** Undoes a user created for a request that then failed (their account row goes with them). */
async function deleteUser(userId: string) {
  await (await getDb()).delete(user).where(eq(user.id, userId));
}

/** Refuses to take the organisation's last admin away (the caller holds its row lock). */
async function keepAnAdmin(tx: DbOrTx, orgId: number, email: string) {
  const [admins] = await tx
    .select({ n: sql<number>`count(*)::int` })
    .from(memberships)
    .where(and(eq(memberships.orgId, orgId), eq(memberships.role, "admin")));
  const message = `${email} is the only admin of organisation ${orgId}; make someone else admin first`;
  if ((admins?.n ?? 0) <= 1) throw new ConflictError("last_admin", message);
}

export const removeMemberSchema = z.strictObject({ email: emailSchema });

/** Removes a member from an organisation (never its last admin); their account stays. */
export async function removeMember(orgId: number, input: z.input<typeof removeMemberSchema>) {
  const { email } = parse(removeMemberSchema, input);
  const db = await getDb();
  return db.transaction(async (tx) => {
    await organisationName(orgId, tx, true);
    const [member] = await tx
      .select({ userId: memberships.userId, role: memberships.role })
      .from(memberships)
      .innerJoin(user, eq(user.id, memberships.userId))
      .where(and(eq(memberships.orgId, orgId), eq(user.email, email)));
    if (!member) throw new NotFoundError(`${email} is not a member of organisation ${orgId}`);
    if (member.role === "admin") await keepAnAdmin(tx, orgId, email);
    await tx.delete(memberships).where(and(eq(memberships.orgId, orgId), eq(memberships.userId, member.userId)));
    return { orgId, email, previousRole: member.role };
  });
}
