/**
 * Joining takes consent (OWASP ASVS 4.1.x): an admin invites an email; its owner accepts signed in with it, or
 * sets the new account's password. The admin's answer does not say whether the email has an account.
 */
import crypto from "node:crypto";
import { and, eq, gt, sql } from "drizzle-orm";
import { z } from "zod";
import { getDb } from "../db";
import { invitations, organisations, user } from "../db/schema";
import { ConflictError, InvalidInputError, NotFoundError } from "../errors";
import { createUserWithPassword, emailSchema, parse, passwordSchema } from "./accounts";
import { addMember, roleIn, roleSchema } from "./organisations";

/** An invitation is good for a week. */
const INVITATION_DAYS = 7;

export const invitationInputSchema = z.strictObject({ email: emailSchema, role: roleSchema });
export const acceptInputSchema = z.strictObject({
  token: z.string().min(20, "token is not an invitation").max(200, "token is not an invitation"),
  password: passwordSchema.optional(),
});

const hashOf = (token: string) => crypto.createHash("sha256").update(token).digest("base64url");

/** Invites `email` as `role` (again: a new token, the old one void); the admin passes the token, shown once, on. */
export async function invite(orgId: number, invitedBy: string, input: z.input<typeof invitationInputSchema>) {
  const { email, role } = parse(invitationInputSchema, input);
  const token = crypto.randomBytes(32).toString("base64url");
  const expiresAt = new Date(Date.now() + INVITATION_DAYS * 86_400_000);
  const db = await getDb();
  await db
    .insert(invitations)
    .values({ tokenHash: hashOf(token), orgId, email, role, invitedBy, expiresAt })
    .onConflictDoUpdate({
      target: [invitations.orgId, invitations.email],
      set: { tokenHash: hashOf(token), role, invitedBy, expiresAt, createdAt: sql`now()` },
    });
  return { orgId, email, role, expiresAt: expiresAt.toISOString(), token };
}

/** The organisation's invitations not yet accepted or expired (no tokens). */
export async function pendingInvitations(orgId: number) {
  return (await getDb())
    .select({ email: invitations.email, role: invitations.role, expiresAt: invitations.expiresAt })
    .from(invitations)
    .where(and(eq(invitations.orgId, orgId), gt(invitations.expiresAt, sql`now()`)))
    .orderBy(invitations.email);
}

/** Accepts an invitation: signed in as the invited email, or, for an email with no account, with a password. */
export async function acceptInvitation(
  input: z.input<typeof acceptInputSchema>,
  signedIn: { userId: string; email: string } | null,
) {
  const { token, password } = parse(acceptInputSchema, input);
  const db = await getDb();
  const [found] = await db
    .select({ invitation: invitations, orgName: organisations.name })
    .from(invitations)
    .innerJoin(organisations, eq(organisations.id, invitations.orgId))
    .where(and(eq(invitations.tokenHash, hashOf(token)), gt(invitations.expiresAt, sql`now()`)));
  if (!found)
    throw new NotFoundError("This invitation is not valid: used, replaced, withdrawn or expired. Ask for a new one");
  const { invitation, orgName } = found;
  let userId: string;
  let userCreated = false;
  if (signedIn) {
    const message = "This invitation is for another account: sign in with the invited address";
    if (signedIn.email.toLowerCase() !== invitation.email) throw new ConflictError("other_account", message);
    userId = signedIn.userId;
  } else {
    const [existing] = await db.select({ id: user.id }).from(user).where(eq(user.email, invitation.email));
    if (existing) throw new ConflictError("sign_in_first", "Sign in with the invited address first, then accept");
    if (password === undefined)
      throw new InvalidInputError("Choose a password (at least 8 characters) for your new account", {
        password: "required to create the account",
      });
    userId = (await createUserWithPassword({ email: invitation.email, password })).id;
    userCreated = true;
  }
  await db.transaction(async (tx) => {
    const used = await tx
      .delete(invitations)
      .where(eq(invitations.tokenHash, invitation.tokenHash))
      .returning({ orgId: invitations.orgId });
    if (used.length === 0) throw new NotFoundError("This invitation was just used");
    // A member already keeps an admin role; otherwise the invited role.
    const role = await roleIn(userId, invitation.orgId, tx);
    if (role !== "admin") await addMember(invitation.orgId, userId, invitation.role, tx);
  });
  return { orgId: invitation.orgId, orgName, email: invitation.email, role: invitation.role, userCreated };
}
