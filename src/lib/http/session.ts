import { getAuth } from "../auth/auth";
import { membershipsOf } from "../orgs/organisations";
import { parseOrgId } from "../orgs/org-id";
import { forbidden, unauthorized } from "./errors";

export async function requireUser(request: Request) {
  const caller = await currentUser(request);
  if (!caller) throw unauthorized();
  return caller;
}

/** The signed-in user, or null when the request has no valid session. */
export async function currentUser(request: Request) {
  const auth = await getAuth();
  const result = await auth.api.getSession({ headers: request.headers });
  return result ? { userId: result.user.id, email: result.user.email } : null;
}

/**
 * The signed-in user's organisation for this request: `?orgId=N` when given (and the user belongs
 * to it), else their first one. The proxy only redirects; this is the security boundary.
 */
export async function requireOrgMember(request: Request, options: { role?: "admin" } = {}) {
  const { userId, email } = await requireUser(request);
  const requested = new URL(request.url).searchParams.get("orgId");
  const orgId = requested === null ? null : parseOrgId(requested);
  const orgs = await membershipsOf(userId);
  const membership = orgId === null ? orgs[0] : orgs.find((m) => m.orgId === orgId);
  if (!membership)
    throw forbidden(`You are not a member of ${orgId === null ? "any organisation" : `organisation ${orgId}`}`);
  if (options.role === "admin" && membership.role !== "admin")
    throw forbidden("Only an admin of this organisation can do that");
  return { userId, email, orgId: membership.orgId, orgName: membership.name, role: membership.role };
}
