"use client";

import { useSyncExternalStore } from "react";

const noSubscription = () => () => {};

/**
 * False in the server's HTML and until React has hydrated the page, then true. A form that takes a
 * password keeps its submit button disabled until then: clicked earlier, the browser would submit the
 * form itself, without our handler, with the password in the address.
 */
export function useHydrated(): boolean {
  return useSyncExternalStore(
    noSubscription,
    () => true,
    () => false,
  );
}
