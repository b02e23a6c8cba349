import { operatorAppInfo } from "@/lib/amazon-ads";
import { requireOrgMember } from "@/lib/http/session";
import { readJson, route } from "@/lib/http/handler";
import { readMaskedSettings, settingsUpdateSchema, updateSettings } from "@/lib/settings";

export const dynamic = "force-dynamic";

/**
 * Every settings section of the caller's organisation, secrets masked, and the server's own Amazon Ads app
 * (its client ID only) that an organisation naming none signs in with.
 */
export const GET = route(async (request) => {
  const { orgId, orgName } = await requireOrgMember(request);
  return Response.json({ orgId, orgName, operatorApp: operatorAppInfo(), ...(await readMaskedSettings(orgId)) });
});

/**
 * Partial update per section (`amazon`, `amazon_ads`); masked values keep the stored secret. Admins only.
 * `saved` names the sections written, `unchanged` those that already held these values (nothing written).
 */
export const POST = route(async (request) => {
  const { orgId } = await requireOrgMember(request, { role: "admin" });
  const body = await readJson(request, settingsUpdateSchema);
  const { saved, unchanged } = await updateSettings(orgId, body);
  const message = saved.length
    ? `Saved: ${saved.join(", ")}.${unchanged.length ? ` Nothing changed in ${unchanged.join(", ")}.` : ""}`
    : "Nothing changed: these are the values already saved.";
  return Response.json({ ok: true, saved, unchanged, message, ...(await readMaskedSettings(orgId)) });
});
