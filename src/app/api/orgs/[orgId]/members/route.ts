import { readJson, route } from "@/lib/http/handler";
import { listMembers } from "@/lib/orgs/organisations";
import { removeMember, removeMemberSchema, setMember } from "@/lib/orgs/accounts";
import { invitationInputSchema, invite, pendingInvitations } from "@/lib/orgs/invitations";
import { requireAdminOf } from "../../access";

export const dynamic = "force-dynamic";

/** route() for the admins of the organisation in the path: the handler runs once the caller is one. */
function adminRoute(handler: (request: Request, admin: { orgId: number; userId: string }) => Promise<Response>) {
  return (request: Request, { params }: { params: Promise<{ orgId: string }> }) =>
    route(async () => handler(request, await requireAdminOf(request, (await params).orgId)))(request);
}

/** The organisation's members and roles, and the invitations not yet accepted. Its admins only. */
export const GET = adminRoute(async (_request, { orgId }) =>
  Response.json({ orgId, members: await listMembers(orgId), invitations: await pendingInvitations(orgId) }),
);

/**
 * `{ email, role }`. A member already: their role changes (200). Anyone else is invited (202, with the
 * invitation's token to pass on): they join when they accept it. The answer is the same whether or
 * not the email has an account; nobody joins without their consent.
 */
export const POST = adminRoute(async (request, { orgId, userId }) => {
  const body = await readJson(request, invitationInputSchema);
  if ((await listMembers(orgId)).some((m) => m.email === body.email))
    return Response.json(await setMember(orgId, body), { status: 200 });
  return Response.json({ invitation: await invite(orgId, userId, body) }, { status: 202 });
});

/** `{ email }`: removes that member (never the last admin); their account stays. */
export const DELETE = adminRoute(async (request, { orgId }) =>
  Response.json(await removeMember(orgId, await readJson(request, removeMemberSchema))),
);
