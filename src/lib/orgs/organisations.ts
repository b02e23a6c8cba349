/**
 * Which organisations exist and who belongs to them: lookups, and the two inserts accounts.ts builds
 * on. No better-auth here (a second of start-up), so the sync and the routes' access checks can use it.
 */
import { and, asc, eq, sql } from "drizzle-orm";
import { z } from "zod";
import { getDb, type DbOrTx } from "../db";
import { memberships, organisations, user } from "../db/schema";
import { NotFoundError } from "../errors";

export const roleSchema = z.enum(["admin", "member"], "The role must be admin or member");

export type OrganisationSummary = Awaited<ReturnType<typeof listOrganisations>>[number];
export type MemberSummary = Awaited<ReturnType<typeof listMembers>>[number];

export async function hasAnyUser(db?: DbOrTx): Promise<boolean> {
  const conn = db ?? (await getDb());
  const [row] = await conn.select({ n: sql<number>`count(*)::int` }).from(user);
  return (row?.n ?? 0) > 0;
}

export async function organisationExists(orgId: number, db?: DbOrTx): Promise<boolean> {
  const conn = db ?? (await getDb());
  const [row] = await conn.select({ id: organisations.id }).from(organisations).where(eq(organisations.id, orgId));
  return Boolean(row);
}

/** `forUpdate` locks its row: two admins demoting each other at once cannot both pass the last-admin check. */
export async function organisationName(orgId: number, db: DbOrTx, forUpdate = false): Promise<string> {
  const query = db.select({ name: organisations.name }).from(organisations).where(eq(organisations.id, orgId));
  const [org] = await (forUpdate ? query.for("update") : query);
  if (!org) throw new NotFoundError(`Organisation ${orgId} does not exist`);
  return org.name;
}

export async function membershipsOf(userId: string, db?: DbOrTx) {
  const conn = db ?? (await getDb());
  return (
    conn
      .select({ orgId: memberships.orgId, role: memberships.role, name: organisations.name })
      .from(memberships)
      .innerJoin(organisations, eq(organisations.id, memberships.orgId))
      .where(eq(memberships.userId, userId))
      // The organisation joined first stays the default (of a request without ?orgId=): joining another never moves it.
      .orderBy(asc(memberships.createdAt), asc(memberships.orgId))
  );
}

/** The user's role in the organisation, or null when they are not a member (or it does not exist). */
export async function roleIn(userId: string, orgId: number, db?: DbOrTx) {
  const conn = db ?? (await getDb());
  const [row] = await conn
    .select({ role: memberships.role })
    .from(memberships)
    .where(and(eq(memberships.userId, userId), eq(memberships.orgId, orgId)));
  return row?.role ?? null;
}

export async function isAdminOfAnyOrganisation(userId: string): Promise<boolean> {
  const db = await getDb();
  const [row] = await db
    .select({ orgId: memberships.orgId })
    .from(memberships)
    .where(and(eq(memberships.userId, userId), eq(memberships.role, "admin")))
    .limit(1);
  return Boolean(row);
}

/** The organisations a user belongs to, with their role in each. */
export async function listMyOrganisations(userId: string) {
  return (await membershipsOf(userId)).map(({ orgId, name, role }) => ({ orgId, name, role }));
}

/** Every organisation with its member count and admins: the operator's view. */
export async function listOrganisations() {
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
export async function listMembers(orgId: number) {
  const db = await getDb();
  await organisationName(orgId, db);
  const joinedAt = memberships.createdAt;
  return db
    .select({ userId: user.id, email: user.email, name: user.name, role: memberships.role, joinedAt })
    .from(memberships)
    .innerJoin(user, eq(user.id, memberships.userId))
    .where(eq(memberships.orgId, orgId))
    .orderBy(asc(user.email));
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
