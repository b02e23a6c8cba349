import { connectRedirectUri, startAmazonConnect } from "@/lib/amazon-ads";
import { requireOrgMember } from "@/lib/http/session";
import { consume, LIMITS } from "@/lib/rate-limit";
import { readJson, route } from "@/lib/http/handler";
import { sectionFormSchema } from "@/lib/settings";

export const dynamic = "force-dynamic";

/**
 * "Connect with Amazon": the Ads API form as shown (masked values mean the saved ones) → the consent page URL
 * the browser goes to. Admins only; a POST, so route() refuses it from another origin.
 */
export const POST = route(async (request) => {
  const { orgId, userId } = await requireOrgMember(request, { role: "admin" });
  await consume(LIMITS.connectStart, `org:${orgId}`);
  const form = await readJson(request, sectionFormSchema("amazon_ads"));
  return Response.json(await startAmazonConnect({ orgId, userId }, form, connectRedirectUri(request)));
});
