import { getAuth } from "@/lib/auth/auth";

export const dynamic = "force-dynamic";

// better-auth's own endpoints: POST /api/auth/sign-in/email, POST /api/auth/sign-out, GET /api/auth/get-session, …
export async function GET(request: Request) {
  return (await getAuth()).handler(request);
}

export async function POST(request: Request) {
  return (await getAuth()).handler(request);
}
