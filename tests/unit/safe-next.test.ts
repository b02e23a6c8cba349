import { describe, expect, it } from "vitest";
import { safeNextPath } from "@/components/safe-next";

const ORIGIN = "https://ads.example.com";

describe("where sign-in goes next", () => {
  it("keeps a path of the app's own origin, with its query and fragment", () => {
    expect(safeNextPath("/settings?orgId=2#amazon", ORIGIN)).toBe("/settings?orgId=2#amazon");
    expect(safeNextPath(`${ORIGIN}/settings`, ORIGIN)).toBe("/settings");
    expect(safeNextPath("settings", ORIGIN)).toBe("/settings");
  });

  it("refuses every spelling of another host (the outside probe's and their kin)", () => {
    for (const next of [
      "//evil.example/x",
      "/\\evil.example/x",
      "\\\\evil.example/x",
      "/\t/evil.example/x",
      "/\n/evil.example",
      " //evil.example",
      "https://evil.example/settings",
      "http://ads.example.com/settings", // another scheme is another origin
      "https://ads.example.com.evil.example/",
      "javascript:alert(1)",
      "data:text/html,hi",
    ])
      expect(safeNextPath(next, ORIGIN), JSON.stringify(next)).toBe("/settings");
  });

  it("never returns a path a browser would read as a host", () => {
    expect(safeNextPath("/.//evil.example/x", ORIGIN)).toBe("/evil.example/x");
    expect(safeNextPath(null, ORIGIN)).toBe("/settings");
    expect(safeNextPath("", ORIGIN, "/")).toBe("/");
  });
});
