import { readJson, route } from "@/lib/http/handler";
import { hasAnyUser } from "@/lib/orgs/organisations";
import { firstAdminSchema, setupFirstAdmin } from "@/lib/orgs/accounts";

export const dynamic = "force-dynamic";

/** Whether the app still needs its first admin. */
export const GET = route(async () => Response.json({ needsSetup: !(await hasAnyUser()) }));

/** First run only: creates organisation 1 and its admin; 409 once any user exists. */
export const POST = route(async (request) => {
  const body = await readJson(request, firstAdminSchema);
  const created = await setupFirstAdmin(body);
  return Response.json({ ok: true, orgId: created.orgId }, { status: 201 });
});
