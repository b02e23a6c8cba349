import crypto from "node:crypto";
import { and, eq, isNull, lt, or, sql } from "drizzle-orm";
import type { AccessToken } from "../../amazon/lwa";
import { sleep } from "../../amazon/retry";
import type { Db } from "../../db";
import { amazonAdsAccessTokens } from "../../db/schema";
import { logWarn } from "../../log";
import { decrypt, encrypt } from "../../settings/crypto";

/**
 * Access tokens shared for their hour through Postgres, so a day's many invocations exchange a login's refresh
 * token about once an hour. One invocation refreshes at a time (`refreshing_until`); the others wait for it.
 */
export interface SharedTokens {
  /** A stored token of the login valid for at least `marginMs`, or null. */
  read(loginKey: string, marginMs: number): Promise<AccessToken | null>;
  /** The stored token if valid, else one this invocation exchanges under the refresh claim, else another's. */
  obtain(loginKey: string, marginMs: number, exchange: () => Promise<AccessToken>): Promise<AccessToken>;
  /** Amazon refused this token (401): it is not handed out again. A newer token stays. */
  drop(loginKey: string, accessToken: string): Promise<void>;
}

/** A crashed refresher's claim ends after this; a waiter exchanges its own token after WAIT_FOR_REFRESH_MS. */
const REFRESH_CLAIM_MS = 30_000;
const WAIT_FOR_REFRESH_MS = 10_000;

const hashOf = (text: string) => crypto.createHash("sha256").update(text).digest("hex");

/** The login's key: a hash of client id and refresh token (neither is stored again). */
export const loginKeyOf = (clientId: string, refreshToken: string) => hashOf(`${clientId}\n${refreshToken}`);

export function postgresSharedTokens(db: Db): SharedTokens {
  const t = amazonAdsAccessTokens;

  const read = async (loginKey: string, marginMs: number): Promise<AccessToken | null> => {
    const [row] = await db.select().from(t).where(eq(t.loginKey, loginKey));
    if (!row?.accessToken || !row.expiresAt || row.expiresAt.getTime() - Date.now() <= marginMs) return null;
    try {
      return { accessToken: decrypt(row.accessToken, loginKey), expiresAt: row.expiresAt.getTime() };
    } catch {
      // Another key (rotated) or a damaged row: as good as no token; the next refresh overwrites it.
      logWarn("[amazon-ads] a shared access token could not be decrypted; exchanging a new one");
      return null;
    }
  };

  const claimRefresh = async (loginKey: string): Promise<boolean> => {
    const until = sql`now() + make_interval(secs => ${REFRESH_CLAIM_MS / 1000})`;
    const claimed = await db
      .insert(t)
      .values({ loginKey, refreshingUntil: until })
      .onConflictDoUpdate({
        target: t.loginKey,
        set: { refreshingUntil: until, updatedAt: sql`now()` },
        setWhere: or(isNull(t.refreshingUntil), lt(t.refreshingUntil, sql`now()`)),
      })
      .returning({ loginKey: t.loginKey });
    return claimed.length > 0;
  };

  const release = async (loginKey: string) => {
    await db.update(t).set({ refreshingUntil: null }).where(eq(t.loginKey, loginKey));
  };

  return {
    read,
    async obtain(loginKey, marginMs, exchange) {
      const stored = await read(loginKey, marginMs);
      if (stored) return stored;
      for (const waitUntil = Date.now() + WAIT_FOR_REFRESH_MS; ;) {
        if (await claimRefresh(loginKey)) break;
        if (Date.now() >= waitUntil) return exchange(); // the refresher is stuck: this one goes on alone
        await sleep(200);
        const fresh = await read(loginKey, marginMs);
        if (fresh) return fresh;
      }
      // Another invocation may have stored a token between the read above and this claim.
      const meanwhile = await read(loginKey, marginMs);
      if (meanwhile) {
        await release(loginKey);
        return meanwhile;
      }
      const token = await exchange().catch(async (error: unknown) => {
        await release(loginKey).catch(() => {}); // a revoked grant: the next invocation tries (and fails) at once
        throw error;
      });
      await db
        .update(t)
        .set({
          accessToken: encrypt(token.accessToken, loginKey),
          tokenHash: hashOf(token.accessToken),
          expiresAt: new Date(token.expiresAt),
          refreshingUntil: null,
          updatedAt: sql`now()`,
        })
        .where(eq(t.loginKey, loginKey));
      return token;
    },
    async drop(loginKey, accessToken) {
      await db
        .update(t)
        .set({ accessToken: null, tokenHash: null, expiresAt: null, updatedAt: sql`now()` })
        .where(and(eq(t.loginKey, loginKey), eq(t.tokenHash, hashOf(accessToken))));
    },
  };
}
