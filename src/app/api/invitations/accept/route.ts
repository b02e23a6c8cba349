import { readJson, route } from "@/lib/http/handler";
import { currentUser } from "@/lib/http/session";
import { acceptInputSchema, acceptInvitation } from "@/lib/orgs/invitations";

export const dynamic = "force-dynamic";

/**
 * `{ token, password? }`: accepts an invitation. Signed in with the invited address: joins. Not signed
 * in, and the address has no account yet: the password creates it, then it joins.
 */
export const POST = route(async (request) => {
  const body = await readJson(request, acceptInputSchema);
  return Response.json(await acceptInvitation(body, await currentUser(request)));
});
