import type { AmazonSettings } from "../settings/schema";
import { isAmazonError } from "./errors";
import { exchangeRefreshToken, spApiTokenUrl } from "./lwa";

export interface ConnectionTestResult {
  ok: boolean;
  message: string;
  problem?: string;
  [key: string]: unknown;
}

export async function testSpApiConnection(credentials: AmazonSettings): Promise<ConnectionTestResult> {
  try {
    await exchangeRefreshToken(spApiTokenUrl(), credentials);
    return { ok: true, message: "Connected: Login with Amazon accepted these credentials and issued an access token." };
  } catch (error) {
    if (isAmazonError(error)) return { ok: false, problem: error.reason ?? error.kind, message: error.message };
    throw error;
  }
}
