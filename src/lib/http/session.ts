import { getAuth } from "../auth/auth";
import { membershipsOf } from "../orgs/organisations";
import { parseOrgId } from "../orgs/org-id";
import { forbidden, unauthorized } from "./errors";

export interface OrgContext {
  userId: string;
  email: string;
  orgId: number;
  orgName: string;
  role: "admin" | "member";
}

export async function requireUser(request: Request): Promise<{ userId: string; email: string }> {
  const caller = await currentUser(request);
  if (!caller) throw unauthorized();
  return caller;
}

/** The signed-in user, or null when the request has no valid session. */
export async function currentUser(request: Request): Promise<{ userId: string; email: string } | null> {
  const auth = await getAuth();
  const result = await auth.api.getSession({ headers: request.headers });
  return result ? { userId: result.user.id, email: result.user.email } : null;
}

/**
 * The signed-in user's organisation for this request: `?orgId=N` when given (and the user belongs
 * to it), else their first one. The proxy only redirects; this is the security boundary.
 */
export async function requireOrgMember(request: Request, options: { role?: "admin" } = {}): Promise<OrgContext> {
  const { userId, email } = await requireUser(request);
  const requested = new URL(request.url).searchParams.get("orgId");
  const orgs = await membershipsOf(userId);
  let membership = orgs[0];
  if (requested !== null) {
    const orgId = parseOrgId(requested);
    membership = orgs.find((m) => m.orgId === orgId);
  }
  if (!membership)
    throw forbidden(
      requested === null
        ? "You are not a member of any organisation"
        : `You are not a member of organisation ${requested}`,
    );
  if (options.role === "admin" && membership.role !== "admin")
    throw forbidden("Only an admin of this organisation can do that");
  return { userId, email, orgId: membership.orgId, orgName: membership.name, role: membership.role };
}
