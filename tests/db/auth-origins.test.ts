import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { POST as authPost } from "@/app/api/auth/[...all]/route";
import { closeDb, getDbHandle } from "@/lib/db";
import { setupFirstAdmin } from "@/lib/orgs/accounts";
import { setupTestDatabase } from "../support/test-db";

// Which browser origins better-auth accepts a sign-in from. In development the app is opened as
// localhost, 127.0.0.1 or [::1] interchangeably; in production only BETTER_AUTH_URL's origin counts.
setupTestDatabase();

const ADMIN = { email: "admin@example.com", password: "correct horse battery" };

function signIn(origin: string, appUrl = "http://localhost:3000", password = ADMIN.password) {
  return authPost(
    new Request(`${appUrl}/api/auth/sign-in/email`, {
      method: "POST",
      headers: { "content-type": "application/json", origin },
      body: JSON.stringify({ email: ADMIN.email, password }),
    }),
  );
}

async function expectRefusedOrigin(response: Response) {
  expect(response.status).toBe(403);
  expect(await response.json()).toMatchObject({ code: "INVALID_ORIGIN" });
}

beforeAll(async () => {
  await setupFirstAdmin({ ...ADMIN, organisationName: "Org One" });
});

describe("sign-in origins in development (BETTER_AUTH_URL=http://localhost:3000)", () => {
  it("accepts every loopback spelling of the app's port and sets the session cookie", async () => {
    for (const origin of ["http://localhost:3000", "http://127.0.0.1:3000", "http://[::1]:3000"]) {
      const response = await signIn(origin);
      expect(response.status, `${origin}: ${await response.clone().text()}`).toBe(200);
      expect(response.headers.getSetCookie().join("; "), origin).toMatch(/session_token=/);
    }
  });

  it("follows the port the app answers on (a dev server on another port)", async () => {
    const response = await signIn("http://127.0.0.1:3111", "http://127.0.0.1:3111");
    expect(response.status, await response.clone().text()).toBe(200);
  });

  it("still refuses foreign origins and other local ports", async () => {
    for (const origin of ["http://evil.example", "https://127.0.0.1:3000", "http://127.0.0.1:5173", "null"]) {
      const response = await signIn(origin);
      expect(response.status, origin).toBe(403);
    }
    await expectRefusedOrigin(await signIn("http://evil.example"));
  });

  it("a wrong password from 127.0.0.1 is a plain 401 (the origin passed)", async () => {
    const response = await signIn("http://127.0.0.1:3000", "http://localhost:3000", "wrong password!");
    expect(response.status).toBe(401);
  });
});

describe("sign-in origins in production (BETTER_AUTH_URL=https://app.example.com)", () => {
  const reopen = async () => {
    // better-auth is configured once per database handle: a new handle picks up the changed environment.
    await closeDb();
    await getDbHandle();
  };
  beforeAll(async () => {
    vi.stubEnv("NODE_ENV", "production");
    vi.stubEnv("BETTER_AUTH_URL", "https://app.example.com");
    await reopen();
  });
  afterAll(async () => {
    vi.unstubAllEnvs();
    await reopen();
  });

  it("refuses loopback origins", async () => {
    for (const origin of ["http://127.0.0.1:3000", "http://localhost:3000", "http://[::1]:3000"]) {
      await expectRefusedOrigin(await signIn(origin, "https://app.example.com"));
      await expectRefusedOrigin(await signIn(origin, origin));
    }
  });

  it("accepts BETTER_AUTH_URL's origin (only the password decides then)", async () => {
    const response = await signIn("https://app.example.com", "https://app.example.com", "wrong password!");
    expect(response.status).toBe(401);
  });
});
