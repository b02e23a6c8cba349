import { POST as authPost } from "@/app/api/auth/[...all]/route";
import { addMember, createOrganisation } from "@/lib/orgs/organisations";
import { createUserWithPassword, setupFirstAdmin } from "@/lib/orgs/accounts";

export const APP = "http://localhost:3000";

/** Signs in through better-auth's real endpoint and returns the Cookie header a browser would send. */
export async function signIn(email: string, password: string): Promise<string> {
  const response = await authPost(
    new Request(`${APP}/api/auth/sign-in/email`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: APP },
      body: JSON.stringify({ email, password }),
    }),
  );
  if (!response.ok) throw new Error(`sign-in failed: HTTP ${response.status} ${await response.text()}`);
  return response.headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .join("; ");
}

export interface TestUser {
  email: string;
  password: string;
  orgId: number;
  cookie: string;
}

let counter = 0;

/** The first admin (organisation 1), through the same path as the setup page. */
export async function firstAdmin(): Promise<TestUser> {
  const email = "admin@example.com";
  const password = "correct horse battery";
  await setupFirstAdmin({ email, password, organisationName: "Org One" });
  return { email, password, orgId: 1, cookie: await signIn(email, password) };
}

/** Another organisation with its own admin. */
export async function otherOrgAdmin(): Promise<TestUser> {
  counter += 1;
  const email = `admin${counter}-${Date.now()}@example.com`;
  const password = "another good password";
  const orgId = await createOrganisation(`Org ${counter}`);
  const created = await createUserWithPassword({ email, password });
  await addMember(orgId, created.id, "admin");
  return { email, password, orgId, cookie: await signIn(email, password) };
}

export function jsonRequest(
  url: string,
  init: { method?: string; cookie?: string; body?: unknown; headers?: Record<string, string> } = {},
): Request {
  const headers: Record<string, string> = { ...(init.headers ?? {}) };
  const method = init.method ?? (init.body === undefined ? "GET" : "POST");
  if (init.cookie) headers.cookie = init.cookie;
  if (init.body !== undefined) headers["content-type"] ??= "application/json";
  // As the app's own page sends it (a browser always names the origin of a change).
  if (method !== "GET" && method !== "HEAD") headers.origin ??= APP;
  return new Request(url.startsWith("http") ? url : `${APP}${url}`, {
    method,
    headers,
    body: init.body === undefined ? undefined : typeof init.body === "string" ? init.body : JSON.stringify(init.body),
  });
}
