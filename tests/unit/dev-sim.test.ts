// `npm run dev:sim`: the simulator starts, its wiring reaches the app's environment and the env file
// `npm run ads:sim` reads, the app's own Amazon code then talks to the simulator, and stopping stops
// both. The app here is a small stand-in process: a real `next dev` takes a minute to compile on two
// cores and only one may run per checkout (the browser tier has its own).
import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseEnv, promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { withAdsApp } from "@/lib/amazon-ads/api/ads-app";
import { testAdsConnection } from "@/lib/amazon-ads/test-connection";
import { envFileText, startDevSim, type DevSim } from "../../scripts/lib/dev-sim";
import { SIM_DEFAULTS } from "../../tools/amazon-ads-simulator/index";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dev-sim-"));
const saved = { ...process.env };
let devSim: DevSim | undefined;
afterAll(async () => {
  process.env = saved;
  await devSim?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

// Prints its AMAZON_* environment, then waits for a signal, like a server would.
const FAKE_APP = `
const wiring = Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith("AMAZON_")));
console.log("ENV " + JSON.stringify(wiring));
process.on("SIGINT", () => { console.log("stopping"); process.exit(0); });
setInterval(() => {}, 1000);
`;

const NAMES = [
  "AMAZON_ADS_TOKEN_URL",
  "AMAZON_ADS_API_URL",
  "AMAZON_ADS_API_URL_NA",
  "AMAZON_ADS_API_URL_EU",
  "AMAZON_ADS_API_URL_FE",
  "AMAZON_ADS_AUTH_URL_NA",
  "AMAZON_ADS_AUTH_URL_EU",
  "AMAZON_ADS_AUTH_URL_FE",
  "AMAZON_SP_TOKEN_URL",
];
/** The simulator's app as the operator's app: Connect with Amazon needs nothing typed under dev:sim. */
const OPERATOR_APP = {
  AMAZON_ADS_CLIENT_ID: SIM_DEFAULTS.clientId,
  AMAZON_ADS_CLIENT_SECRET: SIM_DEFAULTS.clientSecret,
};

describe("npm run dev:sim", () => {
  it("starts the simulator, writes the wiring, hands it to the app, and stops both", async () => {
    const envFile = path.join(dir, ".env.simulator");
    const appLog = path.join(dir, "app.log");
    // The app's output is inherited; through sh it goes to a file the test reads instead.
    devSim = await startDevSim({
      port: 0,
      envFile,
      log: () => {},
      app: { command: "sh", args: ["-c", `exec "${process.execPath}" -e '${FAKE_APP}' >"${appLog}"`] },
    });
    const { simulator, wiring } = devSim;
    const { AMAZON_ADS_CLIENT_ID, AMAZON_ADS_CLIENT_SECRET, ...addresses } = wiring;
    expect({ AMAZON_ADS_CLIENT_ID, AMAZON_ADS_CLIENT_SECRET }).toEqual(OPERATOR_APP);
    expect(Object.keys(addresses).sort()).toEqual([...NAMES].sort());
    for (const value of Object.values(addresses)) expect(value.startsWith(`${simulator.baseUrl}/`)).toBe(true);

    // The file says exactly what the app got, in the format Node's --env-file reads.
    const fromFile = parseEnv(fs.readFileSync(envFile, "utf8"));
    expect(fromFile).toEqual(wiring);
    expect(fs.readFileSync(envFile, "utf8")).toBe(envFileText(wiring));
    await expect.poll(() => fs.readFileSync(appLog, "utf8"), { timeout: 10_000 }).toMatch(/^ENV /);
    const appEnv = JSON.parse(fs.readFileSync(appLog, "utf8").split("\n")[0]!.slice(4)) as Record<string, string>;
    for (const name of [...NAMES, ...Object.keys(OPERATOR_APP)]) expect(appEnv[name], name).toBe(wiring[name]);

    // With that environment the app's own code reaches the simulator: Test connection succeeds.
    for (const name of Object.keys(process.env)) if (name.startsWith("AMAZON_")) delete process.env[name];
    Object.assign(process.env, fromFile);
    // No app typed: the operator's app from the wiring signs in.
    const result = await testAdsConnection(
      withAdsApp({
        client_id: "",
        client_secret: "",
        refresh_token: SIM_DEFAULTS.refreshToken,
        profile_id: SIM_DEFAULTS.profileId,
        profiles: "listed",
        region: "EU",
      }),
    );
    expect(result, result.message).toMatchObject({ ok: true });
    expect(simulator.requests.some((r) => r.path.endsWith("/auth/o2/token"))).toBe(true);

    // Stop: the app gets the signal and exits, the simulator's port closes.
    await devSim.stop("SIGINT");
    expect(await devSim.appExited).toEqual({ code: 0, signal: null });
    expect(fs.readFileSync(appLog, "utf8")).toContain("stopping");
    await expect(fetch(simulator.tokenUrl, { method: "POST" })).rejects.toThrow();
  });

  it("npm run ads:sim's mechanism: tsx --env-file hands the file's variables to the script", async () => {
    const envFile = path.join(dir, "wiring.env");
    fs.writeFileSync(envFile, envFileText({ AMAZON_ADS_TOKEN_URL: "http://127.0.0.1:1/auth/o2/token" }));
    const script = path.join(dir, "print.ts");
    fs.writeFileSync(script, "console.log(process.env.AMAZON_ADS_TOKEN_URL);\n");
    const tsx = path.resolve("node_modules", ".bin", "tsx");
    // Node's --env-file does not override a variable already set, so the test's own wiring stays out.
    const env = { ...saved };
    for (const name of Object.keys(env)) if (name.startsWith("AMAZON_")) delete env[name];
    const { stdout } = await promisify(execFile)(tsx, [`--env-file=${envFile}`, script], { env });
    expect(stdout.trim()).toBe("http://127.0.0.1:1/auth/o2/token");
    const pkg = JSON.parse(fs.readFileSync("package.json", "utf8")) as { scripts: Record<string, string> };
    expect(pkg.scripts["ads:sim"]).toBe("tsx --env-file=.env.simulator scripts/ads.ts");
    expect(pkg.scripts["dev:sim"]).toBe("tsx scripts/dev-sim.ts");
  });
});
