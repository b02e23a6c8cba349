import { requireOrgMember } from "@/lib/http/session";
import { readJson, route } from "@/lib/http/handler";
import { readMaskedSettings, settingsUpdateSchema, updateSettings } from "@/lib/settings/api";

export const dynamic = "force-dynamic";

/** Every settings section of the caller's organisation, secrets masked. */
export const GET = route(async (request) => {
  const { orgId } = await requireOrgMember(request);
  return Response.json({ orgId, ...(await readMaskedSettings(orgId)) });
});

/** Partial update per section (`amazon`, `amazon_ads`); masked values keep the stored secret. Admins only. */
export const POST = route(async (request) => {
  const { orgId } = await requireOrgMember(request, { role: "admin" });
  const body = await readJson(request, settingsUpdateSchema);
  const saved = await updateSettings(orgId, body);
  return Response.json({ ok: true, saved, ...(await readMaskedSettings(orgId)) });
});
