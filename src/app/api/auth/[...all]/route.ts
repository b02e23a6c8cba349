import { authRoute } from "@/lib/http/auth-route";

export const dynamic = "force-dynamic";

// better-auth's own endpoints: POST /api/auth/sign-in/email, POST /api/auth/sign-out, GET /api/auth/get-session, …
// behind the app's limits (bounded bodies, sign-in throttled per address and per account and address).
export const GET = authRoute;
export const POST = authRoute;
