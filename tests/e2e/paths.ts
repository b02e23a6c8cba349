import path from "node:path";

/** Debian's Chromium; scripts/test.sh installs it when missing. */
export const CHROMIUM_PATH = "/usr/bin/chromium";
export const ROOT = path.resolve(import.meta.dirname, "../..");
/** Screenshots and the server log (git-ignored). */
export const RESULTS_DIR = path.join(ROOT, "test-results");
