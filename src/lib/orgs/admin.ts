/**
 * Creating organisations and managing their members without SQL: the functions behind /api/orgs and
 * `npm run ads -- org`. Who may call them is the caller's decision (the routes check the session and
 * role; the CLI is the operator, who has the database anyway): these validate and store.
 */
import { and, asc, eq, sql } from "drizzle-orm";
import { z } from "zod";
import { getDb, type DbOrTx } from "../db";
import { memberships, organisations, user } from "../db/schema";
import { ConflictError, InvalidInputError, NotFoundError } from "../errors";
import { addMember, createUserWithPassword, membershipsOf, newUserSchema } from "./orgs";

const roleSchema = z.enum(["admin", "member"], "The role must be admin or member");
export type Role = z.infer<typeof roleSchema>;

// Stored lower-case, as createUserWithPassword and better-auth's sign-in do, so lookups match.
const emailSchema = newUserSchema.shape.email.transform((email) => email.toLowerCase());
const passwordSchema = newUserSchema.shape.password;
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

export interface OrganisationSummary {
  orgId: number;
  name: string;
  createdAt: Date;
  members: number;
  admins: string[];
}

export interface MemberSummary {
  userId: string;
  email: string;
  name: string;
  role: Role;
  joinedAt: Date;
}

export interface MemberResult {
  orgId: number;
  orgName: string;
  userId: string;
  email: string;
  role: Role;
  /** The user did not exist and was created with the password given. */
  userCreated: boolean;
  /** added: new to the organisation; updated: the role changed; unchanged: it already was this. */
  membership: "added" | "updated" | "unchanged";
  previousRole: Role | null;
}

/** Validation failures as InvalidInputError with a message per field, the shape readJson gives. */
function parse<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const fields = Object.fromEntries(parsed.error.issues.map((i) => [i.path.join(".") || "(input)", i.message]));
  throw invalid(fields);
}

function invalid(fields: Record<string, string>) {
  const listed = Object.entries(fields).map(([k, v]) => `${k}: ${v}`);
  return new InvalidInputError(`Not valid: ${listed.join("; ")}`, fields);
}

/** The user's role in the organisation, or null when they are not a member (or it does not exist). */
export async function roleIn(userId: string, orgId: number, db?: DbOrTx): Promise<Role | null> {
  const conn = db ?? (await getDb());
  const [row] = await conn
    .select({ role: memberships.role })
    .from(memberships)
    .where(and(eq(memberships.userId, userId), eq(memberships.orgId, orgId)));
  return row?.role ?? null;
}

export async function isAdminOfAnyOrganisation(userId: string, db?: DbOrTx): Promise<boolean> {
  const conn = db ?? (await getDb());
  const [row] = await conn
    .select({ orgId: memberships.orgId })
    .from(memberships)
    .where(and(eq(memberships.userId, userId), eq(memberships.role, "admin")))
    .limit(1);
  return Boolean(row);
}

/** The organisations a user belongs to, with their role in each. */
export async function listMyOrganisations(userId: string): Promise<Array<{ orgId: number; name: string; role: Role }>> {
  return (await membershipsOf(userId)).map(({ orgId, name, role }) => ({ orgId, name, role }));
}

/** Every organisation with its member count and admins: the operator's view. */
export async function listOrganisations(): Promise<OrganisationSummary[]> {
  const db = await getDb();
  const orgs = await db.select().from(organisations).orderBy(asc(organisations.id));
  const rows = await db
    .select({ orgId: memberships.orgId, role: memberships.role, email: user.email })
    .from(memberships)
    .innerJoin(user, eq(user.id, memberships.userId))
    .orderBy(asc(user.email));
  return orgs.map((o) => {
    const mine = rows.filter((r) => r.orgId === o.id);
    return {
      orgId: o.id,
      name: o.name,
      createdAt: o.createdAt,
      members: mine.length,
      admins: mine.filter((r) => r.role === "admin").map((r) => r.email),
    };
  });
}

/** The members of one organisation; NotFoundError when it does not exist. */
export async function listMembers(orgId: number): Promise<MemberSummary[]> {
  const db = await getDb();
  await organisationName(orgId, db);
  return db
    .select({
      userId: user.id,
      email: user.email,
      name: user.name,
      role: memberships.role,
      joinedAt: memberships.createdAt,
    })
    .from(memberships)
    .innerJoin(user, eq(user.id, memberships.userId))
    .where(eq(memberships.orgId, orgId))
    .orderBy(asc(user.email));
}

/** A new organisation whose admin is the (already authorised) caller. */
export async function createOrganisationAs(
  creatorUserId: string,
  input: z.input<typeof newOrganisationSchema>,
): Promise<{ orgId: number; name: string }> {
  const { name } = parse(newOrganisationSchema, input);
  const orgId = await insertOrganisationWithAdmin(name, creatorUserId);
  return { orgId, name };
}

/**
 * The operator's `org add`: a new organisation and its first admin, who is created (with the
 * password given) when the email has no user yet. Everything is validated before anything is stored.
 */
export async function createOrganisationWithAdmin(input: z.input<typeof newOrganisationWithAdminSchema>): Promise<{
  orgId: number;
  name: string;
  admin: { userId: string; email: string; userCreated: boolean };
}> {
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
 * Adds a user to an organisation or changes their role. A new email needs a password and becomes
 * a user; an existing user's password is never set here (that would let an admin of one
 * organisation take over someone's account everywhere), so giving one for them is refused.
 */
export async function setMember(orgId: number, input: z.input<typeof memberInputSchema>): Promise<MemberResult> {
  const { email, role, password } = parse(memberInputSchema, input);
  const db = await getDb();
  await organisationName(orgId, db); // before a user is created for an organisation that is not there
  const target = await resolveUser(email, password, "password");
  try {
    return await db.transaction(async (tx) => {
      // Locking the organisation serialises membership changes within it, so two admins demoting
      // each other at once cannot both pass the last-admin check below.
      const [org] = await tx
        .select({ name: organisations.name })
        .from(organisations)
        .where(eq(organisations.id, orgId))
        .for("update");
      if (!org) throw new NotFoundError(`Organisation ${orgId} does not exist`);
      const previousRole = await roleIn(target.userId, orgId, tx);
      if (previousRole === "admin" && role !== "admin") {
        const [admins] = await tx
          .select({ n: sql<number>`count(*)::int` })
          .from(memberships)
          .where(and(eq(memberships.orgId, orgId), eq(memberships.role, "admin")));
        if ((admins?.n ?? 0) <= 1)
          throw new ConflictError(
            "last_admin",
            `${target.email} is the only admin of organisation ${orgId}; make someone else admin first`,
          );
      }
      if (previousRole !== role) await addMember(orgId, target.userId, role, tx);
      return {
        orgId,
        orgName: org.name,
        userId: target.userId,
        email: target.email,
        role,
        userCreated: target.created,
        membership: previousRole === null ? "added" : previousRole === role ? "unchanged" : "updated",
        previousRole,
      };
    });
  } catch (error) {
    if (target.created) await deleteUser(target.userId);
    throw error;
  }
}

async function organisationName(orgId: number, db: DbOrTx): Promise<string> {
  const [org] = await db.select({ name: organisations.name }).from(organisations).where(eq(organisations.id, orgId));
  if (!org) throw new NotFoundError(`Organisation ${orgId} does not exist`);
  return org.name;
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
async function resolveUser(
  email: string,
  password: string | undefined,
  passwordField: string,
): Promise<{ userId: string; email: string; created: boolean }> {
  const db = await getDb();
  const [existing] = await db.select({ id: user.id, email: user.email }).from(user).where(eq(user.email, email));
  if (existing) {
    if (password !== undefined)
      throw invalid({
        [passwordField]: `${email} already has an account and keeps its password: leave the password out`,
      });
    return { userId: existing.id, email: existing.email, created: false };
  }
  if (password === undefined)
    throw invalid({
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
