/**
 * Joining an organisation takes the joiner's consent (OWASP ASVS 4.1.x): an admin invites an email, and
 * the person behind it accepts, signed in with that email, or, when it has no account yet, by choosing
 * the account's password with the invitation. The admin's answer is the same whether or not the email
 * has an account. The operator's CLI adds members directly (setMember): it is the operator.
 */
import crypto from "node:crypto";
import { and, eq, gt, sql } from "drizzle-orm";
import { z } from "zod";
import { getDb } from "../db";
import { invitations, memberships, organisations, user } from "../db/schema";
import { ConflictError, InvalidInputError, NotFoundError } from "../errors";
import { createUserWithPassword, emailSchema, parse, passwordSchema } from "./accounts";
import { addMember, roleSchema, type Role } from "./organisations";

/** An invitation is good for a week. */
const INVITATION_DAYS = 7;

export const invitationInputSchema = z.strictObject({ email: emailSchema, role: roleSchema });
export const acceptInputSchema = z.strictObject({
  token: z.string().min(20, "token is not an invitation").max(200, "token is not an invitation"),
  password: passwordSchema.optional(),
});

export interface Invitation {
  orgId: number;
  email: string;
  role: Role;
  expiresAt: string;
  /** Shown once, to the admin who invited: they pass it on (the invitee accepts with it). */
  token: string;
}

const hashOf = (token: string) => crypto.createHash("sha256").update(token).digest("base64url");

/**
 * Invites `email` to the organisation as `role` (again: a new token, the old one void). The same answer
 * whether or not the email has an account; a member already is changed with setMember instead.
 */
export async function invite(
  orgId: number,
  invitedBy: string,
  input: z.input<typeof invitationInputSchema>,
): Promise<Invitation> {
  const { email, role } = parse(invitationInputSchema, input);
  const token = crypto.randomBytes(32).toString("base64url");
  const expiresAt = new Date(Date.now() + INVITATION_DAYS * 86_400_000);
  await (
    await getDb()
  )
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

/**
 * Accepts an invitation: the signed-in user (`signedIn`) must be the invited email; with nobody
 * signed in, the email must have no account yet, and `password` creates it. The invitation is used up.
 */
export async function acceptInvitation(
  input: z.input<typeof acceptInputSchema>,
  signedIn: { userId: string; email: string } | null,
): Promise<{ orgId: number; orgName: string; email: string; role: Role; userCreated: boolean }> {
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
    if (signedIn.email.toLowerCase() !== invitation.email)
      throw new ConflictError(
        "other_account",
        "This invitation is for another account: sign in with the invited address",
      );
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
    const [member] = await tx
      .select({ role: memberships.role })
      .from(memberships)
      .where(and(eq(memberships.orgId, invitation.orgId), eq(memberships.userId, userId)));
    // A member already keeps an admin role; otherwise the invited role.
    if (member?.role !== "admin") await addMember(invitation.orgId, userId, invitation.role, tx);
  });
  return { orgId: invitation.orgId, orgName, email: invitation.email, role: invitation.role, userCreated };
}
