import { requireOrgMember } from "@/lib/http/session";
import { consume, LIMITS } from "@/lib/rate-limit";
import { readJson, route } from "@/lib/http/handler";
import { testSpApiConnection } from "@/lib/amazon/sp-api-test";
import { resolveFormValues, sectionFormSchema } from "@/lib/settings";

export const dynamic = "force-dynamic";

/** Tests the SP-API values in the form (masked ones restored from storage) against Login with Amazon. */
export const POST = route(async (request) => {
  const { orgId } = await requireOrgMember(request, { role: "admin" });
  await consume(LIMITS.testConnection, `org:${orgId}`);
  const form = await readJson(request, sectionFormSchema("amazon"));
  const credentials = await resolveFormValues(orgId, "amazon", form);
  return Response.json(await testSpApiConnection(credentials));
});
