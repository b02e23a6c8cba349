import { env } from "../env";
import type { AmazonSettings } from "../settings/schema";
import { isAmazonError } from "./errors";
import { exchangeRefreshToken } from "./lwa";

export interface ConnectionTestResult {
  ok: boolean;
  message: string;
  problem?: string;
  [key: string]: unknown;
}

export async function testSpApiConnection(credentials: AmazonSettings): Promise<ConnectionTestResult> {
  try {
    await exchangeRefreshToken(env().AMAZON_SP_TOKEN_URL ?? "https://api.amazon.com/auth/o2/token", credentials);
    return { ok: true, message: "Connected: Login with Amazon accepted these credentials and issued an access token." };
  } catch (error) {
    if (isAmazonError(error)) return { ok: false, problem: error.reason ?? error.kind, message: error.message };
    throw error;
  }
}
