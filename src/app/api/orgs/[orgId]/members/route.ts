import { readJson, route } from "@/lib/http/handler";
import { listMembers } from "@/lib/orgs/organisations";
import { removeMember, removeMemberSchema, setMember } from "@/lib/orgs/accounts";
import { invitationInputSchema, invite, pendingInvitations } from "@/lib/orgs/invitations";
import { requireAdminOf } from "../../access";

export const dynamic = "force-dynamic";

interface Context {
  params: Promise<{ orgId: string }>;
}

/** The organisation's members and roles, and the invitations not yet accepted. Its admins only. */
export function GET(request: Request, { params }: Context) {
  return route(async () => {
    const { orgId } = await requireAdminOf(request, (await params).orgId);
    return Response.json({ orgId, members: await listMembers(orgId), invitations: await pendingInvitations(orgId) });
  })(request);
}

/**
 * `{ email, role }`. A member already: their role changes (200). Anyone else is invited (202, with the
 * invitation's token to pass on): they join when they accept it. The answer is the same whether or
 * not the email has an account; nobody joins without their consent.
 */
export function POST(request: Request, { params }: Context) {
  return route(async () => {
    const { orgId, userId } = await requireAdminOf(request, (await params).orgId);
    const body = await readJson(request, invitationInputSchema);
    if ((await listMembers(orgId)).some((m) => m.email === body.email))
      return Response.json(await setMember(orgId, body), { status: 200 });
    return Response.json({ invitation: await invite(orgId, userId, body) }, { status: 202 });
  })(request);
}

/** `{ email }`: removes that member (never the last admin); their account stays. */
export function DELETE(request: Request, { params }: Context) {
  return route(async () => {
    const { orgId } = await requireAdminOf(request, (await params).orgId);
    const body = await readJson(request, removeMemberSchema);
    return Response.json(await removeMember(orgId, body));
  })(request);
}
