import { eq } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { collectReports, requestReports } from "@/lib/amazon-ads/work/org-run";
import { testAdsConnection, withAdsApp } from "@/lib/amazon-ads";
import { dispatch } from "@/lib/amazon-ads/work/dispatch";
import { amazonAdsPendingReports, syncLogs } from "@/lib/db/schema";
import { createOrganisation } from "@/lib/orgs/organisations";
import { getAmazonAdsSettings, saveAmazonAdsSettings } from "@/lib/settings";
import { SIM_DEFAULT_CLIENTS, SIM_DEFAULTS, SIM_SECOND_CLIENT } from "../../tools/amazon-ads-simulator/index";
import { amazonRows, storedRows } from "../support/rows";
import { dailyDates, dailyDatesOf, fastPhases, setupSyncTest, simLogin } from "../support/sync-fixture";

// The operator's app (AMAZON_ADS_CLIENT_ID/SECRET): every organisation that names no app of its own signs in
// with it, each with its own refresh token; one that saved its own app keeps using that one.

/** A second Amazon user who authorised the operator's app (the default simulator client): its own grant and profile. */
const SECOND_LOGIN = {
  clientId: SIM_DEFAULTS.clientId,
  clientSecret: SIM_DEFAULTS.clientSecret,
  refreshToken: "Atzr|IwEBIOperatorAppSecondGrant-0000000000000000000000000000000000",
  profileIds: [SIM_SECOND_CLIENT.profileIds[0]!],
};
const OPERATOR = { id: SIM_DEFAULTS.clientId, secret: SIM_DEFAULTS.clientSecret };

const { db, sim } = setupSyncTest({
  settings: "none",
  dropOtherOrganisations: true,
  simulator: { clients: [...SIM_DEFAULT_CLIENTS, SECOND_LOGIN] },
});
const { FAST, FAST_COLLECT } = fastPhases(2_000);
let logged: string[] = [];

beforeEach(() => {
  process.env.AMAZON_ADS_CLIENT_ID = OPERATOR.id;
  process.env.AMAZON_ADS_CLIENT_SECRET = OPERATOR.secret;
  logged = [];
  for (const method of ["log", "info", "warn", "error"] as const)
    vi.spyOn(console, method).mockImplementation((...args: unknown[]) => void logged.push(args.map(String).join(" ")));
});
afterEach(() => {
  vi.restoreAllMocks();
  delete process.env.AMAZON_ADS_CLIENT_ID;
  delete process.env.AMAZON_ADS_CLIENT_SECRET;
});

/** Settings naming no app: the organisation signs in with the operator's. */
const onOperatorApp = (refreshToken: string, profileId: string) => ({
  client_id: "",
  client_secret: "",
  refresh_token: refreshToken,
  profile_id: profileId,
  region: "EU" as const,
});

/** The client ids the simulator saw on Ads API calls and token exchanges made with `refreshToken`'s access tokens. */
function clientIdsSent() {
  const api = sim().requests.filter((r) => r.headers["amazon-advertising-api-clientid"]);
  const tokens = sim().requests.filter((r) => r.path === "/auth/o2/token");
  return {
    api: new Set(api.map((r) => r.headers["amazon-advertising-api-clientid"])),
    token: new Set(tokens.map((r) => new URLSearchParams(r.body).get("client_id"))),
  };
}

describe("the operator's app", () => {
  it("signs in every organisation that names no app, each with its own grant; one with its own app keeps it", async () => {
    const first = await createOrganisation("Operator app, first grant");
    const second = await createOrganisation("Operator app, second grant");
    const own = await createOrganisation("Own app");
    await saveAmazonAdsSettings(first, onOperatorApp(SIM_DEFAULTS.refreshToken, SIM_DEFAULTS.profileId));
    await saveAmazonAdsSettings(second, onOperatorApp(SECOND_LOGIN.refreshToken, SECOND_LOGIN.profileIds[0]!));
    await saveAmazonAdsSettings(own, { ...simLogin(SIM_SECOND_CLIENT), profile_id: SIM_SECOND_CLIENT.profileIds[0]! });

    for (const orgId of [first, second]) {
      sim().requests.length = 0;
      const requested = await requestReports(orgId, FAST);
      expect(requested.status, JSON.stringify(requested)).toBe("success");
      expect(clientIdsSent()).toEqual({ api: new Set([OPERATOR.id]), token: new Set([OPERATOR.id]) });
    }
    sim().requests.length = 0;
    expect((await requestReports(own, FAST)).status).toBe("success");
    // The organisation's own app wins over the operator's.
    expect(clientIdsSent()).toEqual({
      api: new Set([SIM_SECOND_CLIENT.clientId]),
      token: new Set([SIM_SECOND_CLIENT.clientId]),
    });

    for (const orgId of [first, second, own])
      expect((await collectReports(orgId, FAST_COLLECT)).status).toBe("success");
    const date = dailyDates()[0]!;
    expect(await storedRows(db(), first, date)).toEqual(amazonRows(sim(), date, SIM_DEFAULTS.profileId));
    const its = dailyDatesOf(SECOND_LOGIN.profileIds[0]!)[0]!; // its profile's own day (Berlin)
    expect(await storedRows(db(), second, its)).toEqual(amazonRows(sim(), its, SECOND_LOGIN.profileIds[0]!));

    // The two grants of the operator's app share its limits: one client key per region, not one per organisation.
    const keys = await db()
      .selectDistinct({ orgId: amazonAdsPendingReports.orgId, key: amazonAdsPendingReports.clientKey })
      .from(amazonAdsPendingReports);
    const keyOf = (orgId: number) => keys.find((k) => k.orgId === orgId)?.key;
    expect(keyOf(first)).toBe(`${OPERATOR.id}@EU`);
    expect(keyOf(second)).toBe(keyOf(first));
    expect(keyOf(own)).toBe(`${SIM_SECOND_CLIENT.clientId}@EU`);

    // Nothing of the operator's app but its id is stored with the organisations, and its secret is nowhere.
    expect(await getAmazonAdsSettings(first)).toMatchObject({ client_id: "", client_secret: "" });
    const logs = JSON.stringify(await db().select().from(syncLogs));
    expect(logs).not.toContain(OPERATOR.secret);
    expect(logged.join("\n")).not.toContain(OPERATOR.secret);
  });

  it("Test connection works with it, and says which app it used", async () => {
    const withOperator = await testAdsConnection(
      withAdsApp({ ...onOperatorApp(SIM_DEFAULTS.refreshToken, SIM_DEFAULTS.profileId), profiles: "listed" }),
    );
    expect(withOperator).toMatchObject({ ok: true });
    expect(withOperator.message).toMatch(/^Connected with this server's app\./);
    const own = await testAdsConnection(
      withAdsApp({
        ...simLogin(SIM_SECOND_CLIENT),
        profile_id: SIM_SECOND_CLIENT.profileIds[0]!,
        profiles: "listed",
        region: "EU",
      }),
    );
    expect(own.message).toMatch(/^Connected with your own app\./);
    expect(JSON.stringify([withOperator, own])).not.toContain(OPERATOR.secret);
  });

  it("without it, an organisation naming no app fails visibly, and nothing is asked of Amazon", async () => {
    delete process.env.AMAZON_ADS_CLIENT_ID;
    delete process.env.AMAZON_ADS_CLIENT_SECRET;
    const orgId = await createOrganisation("No app anywhere");
    await saveAmazonAdsSettings(orgId, onOperatorApp(SIM_DEFAULTS.refreshToken, SIM_DEFAULTS.profileId));
    // Asked for by name (the CLI, its cron route): the caller's mistake, thrown.
    await expect(requestReports(orgId, FAST)).rejects.toThrow(
      /names no Login with Amazon app, and this server has none \(AMAZON_ADS_CLIENT_ID/,
    );
    // In the daily run over every organisation: recorded in that organisation's sync_logs.
    const run = await dispatch("request", { workers: 1, via: "in-process", worker: FAST });
    expect(run.status).toBe("error");
    const [log] = await db().select().from(syncLogs).where(eq(syncLogs.orgId, orgId));
    expect(log!.status).toBe("error");
    expect(log!.message).toMatch(/names no Login with Amazon app, and this server has none/);
    expect(sim().requests).toEqual([]);
  });

  it("an environment with only half of it is refused, naming the variables and not the secret", async () => {
    const orgId = await createOrganisation("Half an app");
    await saveAmazonAdsSettings(orgId, onOperatorApp(SIM_DEFAULTS.refreshToken, SIM_DEFAULTS.profileId));
    delete process.env.AMAZON_ADS_CLIENT_ID;
    const failure = await requestReports(orgId, FAST).then(
      () => null,
      (error: unknown) => String(error),
    );
    expect(failure).toMatch(/AMAZON_ADS_CLIENT_ID and AMAZON_ADS_CLIENT_SECRET are set together/);
    expect(failure).not.toContain(OPERATOR.secret);
  });
});
