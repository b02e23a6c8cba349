import { isAmazonError } from "./errors";

export interface RetryPolicy {
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** No retry may end after this (epoch ms): the run's time budget. */
  deadline?: number;
  /** Attempts when Amazon answers 429 (default maxAttempts): a worker gives a throttled unit back soon. */
  throttledAttempts?: number;
}

export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 6, baseDelayMs: 1_000, maxDelayMs: 60_000 };

/** Throttling, Amazon's 5xx and network failures: the vocabulary decides, per error. */
export function isTransient(error: unknown): boolean {
  return isAmazonError(error) && error.transient;
}

/**
 * Delay before retry number `attempt` (1-based): Amazon's Retry-After when it sent one, else
 * exponential backoff with full jitter — Amazon often omits the header on reporting 429s.
 */
export function retryDelayMs(attempt: number, error: unknown, policy: RetryPolicy, random = Math.random): number {
  const retryAfter = isAmazonError(error) ? error.retryAfterMs : undefined;
  if (retryAfter !== undefined) return Math.min(retryAfter, policy.maxDelayMs);
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Runs `call`, retrying transient failures (429, 5xx, network) within the attempt and time bounds.
 * Hand-written rather than p-retry because it must honour Retry-After and the run's deadline.
 */
export async function withRetry<T>(call: () => Promise<T>, policy: RetryPolicy): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      const attempts = isAmazonError(error, "throttled")
        ? (policy.throttledAttempts ?? policy.maxAttempts)
        : policy.maxAttempts;
      if (!isTransient(error) || attempt >= attempts) throw error;
      const delay = retryDelayMs(attempt, error, policy);
      if (policy.deadline !== undefined && Date.now() + delay > policy.deadline) {
        if (error instanceof Error) cutShort.add(error);
        throw error;
      }
      await sleep(delay);
    }
  }
}

const cutShort = new WeakSet<Error>();

/** Whether `error` ended its retries because the next one would have ended past the run's deadline. */
export const retriesCutShortByDeadline = (error: unknown) => error instanceof Error && cutShort.has(error);
