import { afterEach, describe, expect, it } from "vitest";
import { workerSettings } from "@/lib/amazon-ads/work/worker-options";

// What a worker runs with: units at once bounded by the database connections, the adaptive limit's
// ceiling never below its start, the environment's values unless a caller gives its own.

const saved = { ...process.env };
afterEach(() => {
  process.env = { ...saved };
});

describe("worker settings", () => {
  it("run at most DATABASE_POOL_MAX − 1 units at once, and at least one", () => {
    process.env.AMAZON_ADS_UNITS_AT_ONCE = "8";
    process.env.DATABASE_POOL_MAX = "3";
    expect(workerSettings().unitsAtOnce).toBe(2);
    process.env.DATABASE_POOL_MAX = "1";
    expect(workerSettings().unitsAtOnce).toBe(1);
    process.env.DATABASE_POOL_MAX = "20";
    expect(workerSettings().unitsAtOnce).toBe(8);
    expect(workerSettings({ unitsAtOnce: 30 }).unitsAtOnce).toBe(19);
  });

  it("take the limit's start and ceiling from the environment; a ceiling below the start is the start", () => {
    process.env.AMAZON_ADS_CLIENT_CONCURRENCY = "6";
    process.env.AMAZON_ADS_CLIENT_CONCURRENCY_MAX = "40";
    expect(workerSettings()).toMatchObject({ clientConcurrency: 6, clientConcurrencyMax: 40, createsAtOnce: 5 });
    process.env.AMAZON_ADS_CLIENT_CONCURRENCY_MAX = "3";
    expect(workerSettings()).toMatchObject({ clientConcurrency: 6, clientConcurrencyMax: 6 });
    expect(workerSettings({ clientConcurrency: 2, clientConcurrencyMax: 2 })).toMatchObject({
      clientConcurrency: 2,
      clientConcurrencyMax: 2,
    });
  });

  it("discover from the day's listing by default", () => {
    expect(workerSettings().discovery).toBe("daily");
    expect(workerSettings({ discovery: "live" }).discovery).toBe("live");
  });
});
