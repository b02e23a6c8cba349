import { forbidden } from "@/lib/http/errors";
import { requireUser } from "@/lib/http/session";
import { isAdminOfAnyOrganisation, roleIn } from "@/lib/orgs/organisations";
import { parseOrgId } from "@/lib/orgs/org-id";

// The checks /api/orgs needs besides requireOrgMember (which reads ?orgId=, not the path).

/**
 * Creating an organisation: there is no global role, and an admin of any organisation is already
 * trusted to bring people in. The new organisation grants them nothing over existing ones.
 */
export async function requireAdminOfAny(request: Request) {
  const caller = await requireUser(request);
  if (!(await isAdminOfAnyOrganisation(caller.userId)))
    throw forbidden("Only an admin of an organisation can create organisations");
  return caller;
}

/**
 * Managing the members of the organisation in the path. Not a member, a plain member and an
 * organisation that does not exist all get the same 403: which organisations exist is not revealed.
 */
export async function requireAdminOf(request: Request, orgIdParam: string) {
  const caller = await requireUser(request);
  const orgId = parseOrgId(orgIdParam);
  if ((await roleIn(caller.userId, orgId)) !== "admin")
    throw forbidden(`Only an admin of organisation ${orgId} can see or change its members`);
  return { ...caller, orgId };
}
