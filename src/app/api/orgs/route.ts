import { readJson, route } from "@/lib/http/handler";
import { requireUser } from "@/lib/http/session";
import { consume, LIMITS } from "@/lib/rate-limit";
import { listMyOrganisations } from "@/lib/orgs/organisations";
import { createOrganisationAs, newOrganisationSchema } from "@/lib/orgs/accounts";
import { requireAdminOfAny } from "./access";

export const dynamic = "force-dynamic";

/** The caller's organisations and their role in each. */
export const GET = route(async (request) => {
  const { userId } = await requireUser(request);
  return Response.json({ organisations: await listMyOrganisations(userId) });
});

/**
 * A new organisation, `{ name }`; the caller becomes its admin. Admins (of any organisation) only, at
 * most LIMITS.createOrganisation an hour each (the operator's CLI has no limit).
 */
export const POST = route(async (request) => {
  const { userId } = await requireAdminOfAny(request);
  const body = await readJson(request, newOrganisationSchema);
  await consume(LIMITS.createOrganisation, `user:${userId}`);
  return Response.json(await createOrganisationAs(userId, body), { status: 201 });
});
