import { describe, expect, it } from "vitest";
import { SCALE_SHARED_CLIENT_ID, SCALE_SHARED_CLIENT_SECRET, simScaleAccounts } from "./scale-accounts";
import {
  createReport,
  fetchToken,
  getProfiles,
  listedIds,
  listing,
  postToken,
  refreshGrant,
  reportBody,
  startSim,
  unauthorizedDetails,
} from "./test-prelude";

describe("simScaleAccounts({ sharedClient: true })", () => {
  it("gives every organisation the one shared client id and secret, the rest as without it", () => {
    expect(SCALE_SHARED_CLIENT_ID).toBe("amzn1.application-oa2-client.scaleshared");
    expect(SCALE_SHARED_CLIENT_SECRET).toBe("amzn1.oa2-cs.v1.scale-shared-secret");
    const own = simScaleAccounts(1000);
    const shared = simScaleAccounts(1000, { sharedClient: true });
    expect(new Set(shared.clients.map((client) => client.clientId))).toEqual(new Set([SCALE_SHARED_CLIENT_ID]));
    expect(new Set(shared.clients.map((client) => client.clientSecret))).toEqual(new Set([SCALE_SHARED_CLIENT_SECRET]));
    expect(new Set(shared.clients.map((client) => client.refreshToken)).size).toBe(1000);
    expect(shared.profiles).toEqual(own.profiles);
    expect(shared.clients.map(({ refreshToken, profileIds }) => ({ refreshToken, profileIds }))).toEqual(
      own.clients.map(({ refreshToken, profileIds }) => ({ refreshToken, profileIds })),
    );
    // Off by default: unchanged output.
    expect(simScaleAccounts(1000, { sharedClient: false })).toEqual(own);
    expect(own.clients[0]!.clientId).toBe("amzn1.application-oa2-client.scale000001");
  });

  it("starts a simulator in which each organisation's login sees only its own profiles", async () => {
    const accounts = simScaleAccounts(1000, { sharedClient: true });
    const sim = await startSim(accounts);
    const byId = new Map(accounts.profiles.map((profile) => [profile.profileId, profile]));
    const tokens: string[] = [];
    for (const client of [accounts.clients[0]!, accounts.clients[499]!, accounts.clients[999]!]) {
      const token = await fetchToken(sim, client);
      tokens.push(token);
      for (const region of ["NA", "EU", "FE"] as const) {
        const expected = client.profileIds.filter((profileId) => byId.get(profileId)!.region === region);
        expect(await listedIds(sim, token, listing(SCALE_SHARED_CLIENT_ID, region))).toEqual(expected);
      }
    }
    // Organisation 1's token cannot use organisation 1000's profile.
    const foreign = byId.get(accounts.clients[999]!.profileIds[0]!)!;
    const response = await createReport(sim, tokens[0]!, reportBody(), {
      region: foreign.region,
      profileId: foreign.profileId,
      clientId: SCALE_SHARED_CLIENT_ID,
    });
    expect(await unauthorizedDetails(response)).toBe("No matching advertiser found for scope");
    // The shared secret with a wrong one is still invalid_client.
    expect((await postToken(sim, refreshGrant({ client_secret: "wrong" }, accounts.clients[5]!))).status).toBe(401);
    expect((await getProfiles(sim, tokens[1]!, listing(SCALE_SHARED_CLIENT_ID))).status).toBe(200);
  });
});
