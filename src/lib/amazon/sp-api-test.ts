import type { AmazonSettings } from "../settings/schema";
import { exchangeRefreshToken, LwaError, spApiTokenUrl } from "./lwa";

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
    if (error instanceof LwaError) return { ok: false, problem: error.kind, message: error.message };
    throw error;
  }
}
