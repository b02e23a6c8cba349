import { cronRoute } from "@/lib/http/cron-route";

// Phase 2: poll, download and upsert what phase 1 requested. Schedule: vercel.json (09:30 UTC).
// The collect's time budget (240 s) leaves a minute of this limit as margin.
export const dynamic = "force-dynamic";
export const maxDuration = 300;

export const GET = cronRoute("collect");
