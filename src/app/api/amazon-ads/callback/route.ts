import { connectRedirectUri, finishAmazonConnect } from "@/lib/amazon-ads";
import { requireUser } from "@/lib/http/session";
import { route } from "@/lib/http/handler";
import { CONNECT_RESULT_PARAM } from "@/lib/settings";

export const dynamic = "force-dynamic";

/**
 * Where Amazon sends the admin back (the "Allowed Return URL"). Behind the session like every other route:
 * the admin who pressed Connect is still signed in. Always answers with a redirect to /settings carrying only
 * the outcome's name, so the code never stays in the address bar, history or a response body.
 */
export const GET = route(async (request) => {
  const { userId } = await requireUser(request);
  const outcome = await finishAmazonConnect(userId, new URL(request.url).searchParams);
  const target = new URL("/settings", connectRedirectUri(request));
  if (outcome.orgId !== undefined) target.searchParams.set("orgId", String(outcome.orgId));
  target.searchParams.set(CONNECT_RESULT_PARAM, outcome.result);
  return new Response(null, {
    status: 303,
    headers: { location: target.toString(), "cache-control": "no-store", "referrer-policy": "no-referrer" },
  });
});
