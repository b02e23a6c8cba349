import { and, eq, sql } from "drizzle-orm";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { GET as orgsGet, POST as orgsPost } from "@/app/api/orgs/route";
import { POST as acceptPost } from "@/app/api/invitations/accept/route";
import { DELETE as membersDelete, GET as membersGet, POST as membersPost } from "@/app/api/orgs/[orgId]/members/route";
import { GET as settingsGet } from "@/app/api/settings/route";
import { account, memberships, organisations, user } from "@/lib/db/schema";
import { addMember } from "@/lib/orgs/organisations";
import { createUserWithPassword } from "@/lib/orgs/accounts";
import { firstAdmin, jsonRequest, otherOrgAdmin, signIn, type TestUser } from "../support/auth";
import { resetRateLimits, setupTestDatabase } from "../support/test-db";

const testDb = setupTestDatabase();
const db = async () => (await testDb.handle()).db;

let admin: TestUser; // admin of organisation 1
let member: TestUser; // plain member of organisation 1

const members = (orgId: number | string) => ({ params: Promise.resolve({ orgId: String(orgId) }) });
const listMembers = (orgId: number | string, cookie?: string) =>
  membersGet(jsonRequest(`/api/orgs/${orgId}/members`, { cookie }), members(orgId));
const postMember = (orgId: number | string, cookie: string | undefined, body: unknown) =>
  membersPost(jsonRequest(`/api/orgs/${orgId}/members`, { cookie, body }), members(orgId));

async function count(table: typeof organisations | typeof memberships | typeof user): Promise<number> {
  const [row] = await (await db()).select({ n: sql<number>`count(*)::int` }).from(table);
  return row!.n;
}

async function roleOf(email: string, orgId: number): Promise<string | null> {
  const [row] = await (
    await db()
  )
    .select({ role: memberships.role })
    .from(memberships)
    .innerJoin(user, eq(user.id, memberships.userId))
    .where(and(eq(user.email, email), eq(memberships.orgId, orgId)));
  return row?.role ?? null;
}

async function passwordHashOf(email: string): Promise<string | null> {
  const [row] = await (
    await db()
  )
    .select({ password: account.password })
    .from(account)
    .innerJoin(user, eq(user.id, account.userId))
    .where(and(eq(user.email, email), eq(account.providerId, "credential")));
  return row?.password ?? null;
}

// Each test starts a fresh window of the organisation-creation limit (tests/db/limits.test.ts covers it).
beforeEach(() => resetRateLimits());
beforeAll(async () => {
  admin = await firstAdmin();
  const email = "plain.member@example.com";
  const password = "plain member password";
  const created = await createUserWithPassword({ email, password });
  await addMember(1, created.id, "member");
  member = { email, password, orgId: 1, cookie: await signIn(email, password) };
});

describe("who may create organisations and manage members", () => {
  it("refuses signed-out callers with 401 on every endpoint", async () => {
    expect((await orgsGet(jsonRequest("/api/orgs"))).status).toBe(401);
    expect((await orgsPost(jsonRequest("/api/orgs", { body: { name: "Nope" } }))).status).toBe(401);
    expect((await listMembers(1)).status).toBe(401);
    expect((await postMember(1, undefined, { email: "x@example.com", role: "member" })).status).toBe(401);
    expect(await count(organisations)).toBe(1);
  });

  it("refuses a plain member: 403 on creating an organisation and on seeing or adding members of their own", async () => {
    const orgsBefore = await count(organisations);
    const usersBefore = await count(user);
    const create = await orgsPost(jsonRequest("/api/orgs", { cookie: member.cookie, body: { name: "Mine now" } }));
    expect(create.status).toBe(403);
    expect((await create.json()).message).toMatch(/Only an admin/);
    expect((await listMembers(1, member.cookie)).status).toBe(403);
    const add = await postMember(1, member.cookie, {
      email: "friend@example.com",
      role: "admin",
      password: "a friend's password",
    });
    expect(add.status).toBe(403);
    // Nor can they promote themselves.
    expect((await postMember(1, member.cookie, { email: member.email, role: "admin" })).status).toBe(403);
    expect(await count(organisations)).toBe(orgsBefore);
    expect(await count(user)).toBe(usersBefore);
    expect(await roleOf(member.email, 1)).toBe("member");
  });

  it("lists a plain member's own organisations with their role", async () => {
    const response = await orgsGet(jsonRequest("/api/orgs", { cookie: member.cookie }));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ organisations: [{ orgId: 1, name: "Org One", role: "member" }] });
  });

  it("an admin creates an organisation and becomes its admin", async () => {
    const response = await orgsPost(jsonRequest("/api/orgs", { cookie: admin.cookie, body: { name: "  Acme  " } }));
    expect(response.status).toBe(201);
    const created = await response.json();
    expect(created).toEqual({ orgId: 2, name: "Acme" });
    const [row] = await (await db()).select().from(organisations).where(eq(organisations.id, 2));
    expect(row?.name).toBe("Acme");
    expect(await roleOf(admin.email, 2)).toBe("admin");
    const mine = await (await orgsGet(jsonRequest("/api/orgs", { cookie: admin.cookie }))).json();
    expect(mine.organisations).toEqual([
      { orgId: 1, name: "Org One", role: "admin" },
      { orgId: 2, name: "Acme", role: "admin" },
    ]);
    const list = await listMembers(2, admin.cookie);
    expect(list.status).toBe(200);
    expect((await list.json()).members).toEqual([expect.objectContaining({ email: admin.email, role: "admin" })]);
  });

  it("answers 400 with field messages for an invalid organisation and stores nothing", async () => {
    const before = await count(organisations);
    for (const [body, field, message] of [
      [{ name: "   " }, "name", /Name the organisation/],
      [{}, "name", /Name the organisation/],
      [{ name: "x".repeat(101) }, "name", /too long/],
      [{ name: "Ok", owner: "someone" }, "(body)", /Unrecognized key/],
    ] as Array<[unknown, string, RegExp]>) {
      const response = await orgsPost(jsonRequest("/api/orgs", { cookie: admin.cookie, body }));
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect((await response.json()).fields[field]).toMatch(message);
    }
    expect(await count(organisations)).toBe(before);
  });

  it("refuses a cross-origin POST", async () => {
    const response = await orgsPost(
      jsonRequest("/api/orgs", {
        cookie: admin.cookie,
        body: { name: "CSRF" },
        headers: { origin: "https://evil.example" },
      }),
    );
    expect(response.status).toBe(403);
  });
});

describe("members join with their consent", () => {
  const acceptAs = (body: unknown, cookie?: string) =>
    acceptPost(jsonRequest("/api/invitations/accept", { cookie, body }));

  it("invites a new address; the invitee chooses a password with the token, signs in and sees the organisation", async () => {
    const usersBefore = await count(user);
    const response = await postMember(2, admin.cookie, { email: "New.Colleague@Example.com", role: "member" });
    expect(response.status).toBe(202);
    const { invitation } = await response.json();
    expect(invitation).toMatchObject({ orgId: 2, email: "new.colleague@example.com", role: "member" });
    expect(invitation.token).toMatch(/^[A-Za-z0-9_-]{40,}$/);
    expect(await count(user)).toBe(usersBefore); // nobody is created or added by the invitation itself
    const listed = await (await listMembers(2, admin.cookie)).json();
    expect(listed.invitations).toEqual([
      expect.objectContaining({ email: "new.colleague@example.com", role: "member" }),
    ]);
    // Without a password there is no account to join with.
    expect((await acceptAs({ token: invitation.token })).status).toBe(400);
    const password = "new colleague password";
    const accepted = await acceptAs({ token: invitation.token, password });
    expect(accepted.status).toBe(200);
    expect(await accepted.json()).toMatchObject({ orgId: 2, orgName: "Acme", role: "member", userCreated: true });
    const cookie = await signIn("new.colleague@example.com", password);
    const mine = await (await orgsGet(jsonRequest("/api/orgs", { cookie }))).json();
    expect(mine.organisations).toEqual([{ orgId: 2, name: "Acme", role: "member" }]);
    // The token is used up.
    expect((await acceptAs({ token: invitation.token, password })).status).toBe(404);
    expect((await (await listMembers(2, admin.cookie)).json()).invitations).toEqual([]);
  });

  it("an existing user: the same answer as for a new address, and they join only by accepting, signed in", async () => {
    const hashBefore = await passwordHashOf(member.email);
    const fresh = await postMember(2, admin.cookie, { email: "nobody.yet@example.com", role: "admin" });
    const existing = await postMember(2, admin.cookie, { email: member.email, role: "admin" });
    expect(existing.status).toBe(fresh.status);
    const [a, b] = [(await fresh.json()).invitation, (await existing.json()).invitation];
    expect(Object.keys(b).sort()).toEqual(Object.keys(a).sort());
    expect(await roleOf(member.email, 2)).toBeNull();
    // Not signed in: the address has an account, so its owner must sign in to accept.
    const anonymous = await acceptAs({ token: b.token, password: "taken over password" });
    expect(anonymous.status).toBe(409);
    expect((await anonymous.json()).error).toBe("sign_in_first");
    await expect(signIn(member.email, "taken over password")).rejects.toThrow(/HTTP 401/);
    // Signed in as someone else: refused.
    expect((await acceptAs({ token: b.token }, admin.cookie)).status).toBe(409);
    expect(await roleOf(member.email, 2)).toBeNull();
    // Their own acceptance.
    const accepted = await acceptAs({ token: b.token }, member.cookie);
    expect(accepted.status).toBe(200);
    expect(await roleOf(member.email, 2)).toBe("admin");
    expect(await passwordHashOf(member.email)).toBe(hashBefore);
    // Their default organisation (a request without ?orgId=) is still the one they joined first.
    const settings = await settingsGet(jsonRequest("/api/settings", { cookie: member.cookie }));
    expect((await settings.json()).orgId).toBe(1);
  });

  it("an admin never sets a password: one given with an invitation is refused and nothing is stored", async () => {
    const usersBefore = await count(user);
    const response = await postMember(1, admin.cookie, {
      email: member.email,
      role: "admin",
      password: "taken over password",
    });
    expect(response.status).toBe(400);
    expect((await response.json()).fields["(body)"]).toMatch(/Unrecognized key.*password/);
    expect(await count(user)).toBe(usersBefore);
    expect(await roleOf(member.email, 1)).toBe("member");
  });

  it("changes a member's role directly: 200 and the membership updated", async () => {
    const response = await postMember(2, admin.cookie, { email: "new.colleague@example.com", role: "admin" });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ membership: "updated", previousRole: "member", role: "admin" });
    expect(await roleOf("new.colleague@example.com", 2)).toBe("admin");
    const again = await postMember(2, admin.cookie, { email: "new.colleague@example.com", role: "admin" });
    expect(again.status).toBe(200);
    expect((await again.json()).membership).toBe("unchanged");
  });

  it("refuses to demote an organisation's only admin (409), and allows it while another admin remains", async () => {
    const other = await otherOrgAdmin();
    const response = await postMember(other.orgId, other.cookie, { email: other.email, role: "member" });
    expect(response.status).toBe(409);
    expect((await response.json()).error).toBe("last_admin");
    expect(await roleOf(other.email, other.orgId)).toBe("admin");
    // Acme has three admins now: one can step down.
    const stepDown = await postMember(2, admin.cookie, { email: member.email, role: "member" });
    expect(stepDown.status).toBe(200);
    expect(await roleOf(member.email, 2)).toBe("member");
  });

  it("removes a member (their account stays), never the last admin, and only an admin of that organisation", async () => {
    const remove = (orgId: number, cookie: string, email: string) =>
      membersDelete(
        jsonRequest(`/api/orgs/${orgId}/members`, { method: "DELETE", cookie, body: { email } }),
        members(orgId),
      );
    expect((await remove(2, member.cookie, admin.email)).status).toBe(403); // a plain member of Acme now
    const removed = await remove(2, admin.cookie, member.email);
    expect(removed.status).toBe(200);
    expect(await removed.json()).toEqual({ orgId: 2, email: member.email, previousRole: "member" });
    expect(await roleOf(member.email, 2)).toBeNull();
    expect(await roleOf(member.email, 1)).toBe("member");
    await signIn(member.email, member.password);
    expect((await remove(2, admin.cookie, member.email)).status).toBe(404);
    const other = await otherOrgAdmin();
    const last = await remove(other.orgId, other.cookie, other.email);
    expect(last.status).toBe(409);
    expect(await roleOf(other.email, other.orgId)).toBe("admin");
  });

  it("an admin of organisation 1 cannot see, invite to or remove from an organisation they do not administer (403)", async () => {
    const other = await otherOrgAdmin();
    expect((await listMembers(other.orgId, admin.cookie)).status).toBe(403);
    expect(
      (await postMember(other.orgId, admin.cookie, { email: "infiltrator@example.com", role: "admin" })).status,
    ).toBe(403);
    expect((await postMember(other.orgId, admin.cookie, { email: admin.email, role: "admin" })).status).toBe(403);
    expect(await roleOf(admin.email, other.orgId)).toBeNull();
    // An organisation that does not exist looks the same: 403, not 404.
    expect((await postMember(999, admin.cookie, { email: admin.email, role: "admin" })).status).toBe(403);
  });

  it("answers 400 for an organisation id that is not one", async () => {
    for (const id of ["abc", "0", "-1", "1.5", "99999999999"]) {
      const response = await listMembers(id, admin.cookie);
      expect(response.status, id).toBe(400);
      expect((await response.json()).message).toMatch(/orgId must be a positive integer/);
    }
  });

  it("answers 400 with field messages for invalid invitations and stores nothing", async () => {
    const cases: Array<[unknown, Record<string, RegExp>]> = [
      [
        { email: "not-an-email", role: "owner" },
        { email: /valid email/, role: /admin or member/ },
      ],
      [{ role: "member" }, { email: /valid email/ }],
      [{ email: "fresh@example.com" }, { role: /admin or member/ }],
      [{ email: "fresh@example.com", role: "member", isAdmin: true }, { "(body)": /Unrecognized/ }],
    ];
    for (const [body, fields] of cases) {
      const response = await postMember(2, admin.cookie, body);
      expect(response.status, JSON.stringify(body)).toBe(400);
      const answer = await response.json();
      for (const [field, message] of Object.entries(fields)) expect(answer.fields[field], field).toMatch(message);
    }
    const listed = await (await listMembers(2, admin.cookie)).json();
    expect(listed.invitations.map((i: { email: string }) => i.email)).not.toContain("fresh@example.com");
  });

  it("an admin made through an invitation can create organisations too", async () => {
    const cookie = await signIn("new.colleague@example.com", "new colleague password");
    const response = await orgsPost(jsonRequest("/api/orgs", { cookie, body: { name: "Colleague Co" } }));
    expect(response.status).toBe(201);
    const { orgId } = await response.json();
    expect(await roleOf("new.colleague@example.com", orgId)).toBe("admin");
  });
});
