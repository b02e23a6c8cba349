import { cronRoute } from "@/lib/http/cron-route";

// Phase 1: request the five spCampaigns reports. Schedule: vercel.json (09:00 UTC).
export const dynamic = "force-dynamic";
export const maxDuration = 300;

export const GET = cronRoute("request");
