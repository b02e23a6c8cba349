import { testAdsConnection, withAdsApp } from "@/lib/amazon-ads";
import { requireOrgMember } from "@/lib/http/session";
import { consume, LIMITS } from "@/lib/rate-limit";
import { readJson, route } from "@/lib/http/handler";
import { resolveFormValues, sectionFormSchema } from "@/lib/settings";

export const dynamic = "force-dynamic";

/**
 * Tests the Ads API values in the form (masked ones restored from storage), with the organisation's own app
 * or, when the form names none, the operator's: token, then the profiles.
 */
export const POST = route(async (request) => {
  const { orgId } = await requireOrgMember(request, { role: "admin" });
  await consume(LIMITS.testConnection, `org:${orgId}`);
  const form = await readJson(request, sectionFormSchema("amazon_ads"));
  const settings = await resolveFormValues(orgId, "amazon_ads", form);
  return Response.json(await testAdsConnection(withAdsApp(settings, orgId)));
});
