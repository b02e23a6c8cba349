import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { createFileWhole } from "../files/create-file-whole";
import { env, isProduction } from "../env";

/**
 * A secret from the environment; outside production, when it is unset, a random one is generated
 * once into the git-ignored data folder, and said when it is: later processes (every CLI command, each
 * dev server start) use it quietly. In production it must be set.
 */
export function secretFromEnvOrDataDir(
  name: "SETTINGS_ENCRYPTION_KEY" | "BETTER_AUTH_SECRET",
  generate: () => string,
): string {
  const fromEnv = env()[name];
  if (fromEnv) return fromEnv;
  if (isProduction())
    throw new Error(`${name} is not set. It is required when NODE_ENV=production (see README, "Configuration").`);
  const file = path.join(env().DATA_DIR, `dev-${name.toLowerCase().replace(/_/g, "-")}`);
  if (!fs.existsSync(file)) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    // Created whole: a second process (a CLI next to `npm run dev`) either wins or reads the
    // finished value, never an empty file. Only the process that created it says so.
    if (createFileWhole(file, generate(), 0o600))
      console.warn(
        `[config] ${name} is not set; generated a development value into ${file} (used from now on). Set it explicitly in production.`,
      );
  }
  return fs.readFileSync(file, "utf8").trim();
}

export const randomHexKey = () => crypto.randomBytes(32).toString("hex");
