import { workerRoute } from "@/lib/http/cron-route";

// One worker of a cron dispatch (src/lib/amazon-ads/work/): not scheduled itself. It works through
// the units claimed in Postgres for 240 s at most, leaving a minute of this limit as margin.
export const dynamic = "force-dynamic";
export const maxDuration = 300;

export const GET = workerRoute();
