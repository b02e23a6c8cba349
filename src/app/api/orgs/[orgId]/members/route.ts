import { readJson, route } from "@/lib/http/handler";
import { listMembers } from "@/lib/orgs/organisations";
import { memberInputSchema, setMember } from "@/lib/orgs/accounts";
import { requireAdminOf } from "../../access";

export const dynamic = "force-dynamic";

interface Context {
  params: Promise<{ orgId: string }>;
}

/** The organisation's members and roles. Its admins only. */
export function GET(request: Request, { params }: Context) {
  return route(async () => {
    const { orgId } = await requireAdminOf(request, (await params).orgId);
    return Response.json({ orgId, members: await listMembers(orgId) });
  })(request);
}

/**
 * `{ email, role, password? }`: adds the user (creating them when the email is new, which needs a
 * password) or changes their role. 201 when they joined, 200 when they were already a member.
 */
export function POST(request: Request, { params }: Context) {
  return route(async () => {
    const { orgId } = await requireAdminOf(request, (await params).orgId);
    const body = await readJson(request, memberInputSchema);
    const result = await setMember(orgId, body);
    return Response.json(result, { status: result.membership === "added" ? 201 : 200 });
  })(request);
}
