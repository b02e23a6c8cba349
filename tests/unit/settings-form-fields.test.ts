import fs from "node:fs";
import path from "node:path";
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { SettingsSection } from "@/components/SettingsSection";
import {
  amazonAdsSettingsSchema,
  amazonSettingsSchema,
  formFields,
  isSecretField,
  REGIONS,
  SECTION_KEYS,
  SETTINGS_SECTIONS,
} from "@/lib/settings/schema";

// The settings page renders its forms from the schema; these hold the form to the validation it feeds.

describe.each(SECTION_KEYS)("formFields(%s)", (section) => {
  const fields = formFields(section);
  const { schema, secretFields } = SETTINGS_SECTIONS[section];

  it("has exactly the schema's fields, in the schema's order", () => {
    expect(fields.map((f) => f.name)).toEqual(Object.keys(schema.shape));
  });

  it("marks as secret exactly the fields the masking treats as secret", () => {
    expect(fields.filter((f) => f.secret).map((f) => f.name)).toEqual([...secretFields]);
    for (const f of fields) expect(f.secret, f.name).toBe(isSecretField(section, f.name));
    // The credentials themselves: a change here changes what the browser gets to see.
    expect(secretFields).toEqual(["client_secret", "refresh_token"]);
  });

  it("labels every field, each label once (the browser tests find inputs by label)", () => {
    for (const f of fields) expect(f.label.trim(), f.name).not.toBe("");
    expect(new Set(fields.map((f) => f.label)).size).toBe(fields.length);
  });

  it("has a title and a test URL", () => {
    expect(SETTINGS_SECTIONS[section].title).not.toBe("");
    expect(SETTINGS_SECTIONS[section].testUrl).toMatch(/^\/api\/test\//);
  });
});

describe("the Amazon sections' forms", () => {
  it("keep the labels and titles people (and the browser tests) know them by", () => {
    expect(formFields("amazon").map((f) => f.label)).toEqual([
      "Client ID",
      "Client secret",
      "Refresh token",
      "Marketplace ID",
    ]);
    expect(formFields("amazon_ads").map((f) => f.label)).toEqual([
      "Client ID",
      "Client secret",
      "Refresh token",
      "Profile ID",
      "Profiles to sync",
      "Region",
    ]);
    expect(SETTINGS_SECTIONS.amazon.title).toBe("Amazon SP-API");
    expect(SETTINGS_SECTIONS.amazon_ads.title).toBe("Amazon Ads API");
  });

  it("offer the regions of REGIONS, with human labels, starting at the schema's default", () => {
    const region = formFields("amazon_ads").find((f) => f.name === "region");
    expect(region?.options?.map((o) => o.value)).toEqual([...REGIONS]);
    // A word people recognise, not just the API's code.
    for (const o of region?.options ?? []) expect(o.label, o.value).toMatch(/^[A-Z][a-z]+ /);
    expect(region?.defaultValue).toBe(amazonAdsSettingsSchema.shape.region.parse(undefined));
    expect(region?.defaultValue).toBe("EU");
  });

  it("offer a choice only for enum fields, and start text fields empty", () => {
    for (const section of SECTION_KEYS)
      for (const f of formFields(section).filter((f) => f.name !== "region" && f.name !== "profiles")) {
        expect(f.options, f.name).toBeUndefined();
        expect(f.defaultValue, f.name).toBeUndefined();
      }
  });
});

describe("SettingsSection rendering formFields", () => {
  const render = (saved: Record<string, string> | null, connectUrl?: string, operatorClientId: string | null = null) =>
    renderToStaticMarkup(
      createElement(SettingsSection, {
        section: "amazon_ads",
        title: SETTINGS_SECTIONS.amazon_ads.title,
        fields: formFields("amazon_ads"),
        saved,
        testUrl: SETTINGS_SECTIONS.amazon_ads.testUrl,
        orgQuery: "",
        connectUrl,
        operatorClientId,
        onSaved: () => {},
      }),
    );
  const input = (html: string, id: string) => new RegExp(`<input id="${id}"[^>]*>`).exec(html)?.[0] ?? "";
  const inputType = (html: string, id: string) => /type="([a-z]+)"/.exec(input(html, id))?.[1];

  it("shows each field under its label, secrets as password inputs, the region as a select at EU", () => {
    const html = render(null);
    for (const f of formFields("amazon_ads"))
      expect(html, f.name).toContain(`<label for="amazon_ads-${f.name}">${f.label}</label>`);
    expect(inputType(html, "amazon_ads-client_secret")).toBe("password");
    expect(inputType(html, "amazon_ads-refresh_token")).toBe("password");
    expect(inputType(html, "amazon_ads-client_id")).toBe("text");
    expect(html).toMatch(/<select id="amazon_ads-region"/);
    expect(html).toContain('<option value="EU" selected="">Europe');
  });

  it("shows saved (masked) values locked with an Edit button", () => {
    const html = render({
      client_id: "amzn1.application-oa2-client.abc",
      client_secret: "••••••••9999",
      refresh_token: "••••••••7777",
      profile_id: "366822873177837",
      region: "NA",
    });
    expect(input(html, "amazon_ads-client_secret")).toContain('readOnly=""');
    expect(input(html, "amazon_ads-client_secret")).toContain('value="••••••••9999"');
    expect(html).toContain('aria-label="Edit Client secret"');
    expect(html).toContain('<option value="NA" selected="">North America');
  });

  it("locks only the secrets: saved identifiers are plain inputs, edited in place", () => {
    const html = render({
      client_id: "amzn1.application-oa2-client.abc",
      client_secret: "••••••••9999",
      refresh_token: "••••••••7777",
      profile_id: "366822873177837",
      region: "NA",
    });
    for (const f of formFields("amazon_ads")) {
      if (f.options) continue;
      expect(input(html, `amazon_ads-${f.name}`).includes('readOnly=""'), f.name).toBe(f.secret);
      expect(html.includes(`aria-label="Edit ${f.label}"`), f.name).toBe(f.secret);
    }
    expect(input(html, "amazon_ads-client_id")).toContain('value="amzn1.application-oa2-client.abc"');
  });

  it("says in visible text what Connect with Amazon needs, from the fields' own labels", () => {
    const label = (name: string) => formFields("amazon_ads").find((f) => f.name === name)!.label;
    const empty = render(null, "/api/amazon-ads/connect");
    const help = /<p class="help" id="amazon_ads-connect-help"[^>]*>(.*?)<\/p>/.exec(empty)?.[1] ?? "";
    expect(help).toContain(`needs only the ${label("client_id")} and ${label("client_secret")}`);
    expect(help).toContain(`Enter the ${label("client_id")} and ${label("client_secret")} first.`);
    expect(empty).toMatch(
      /aria-describedby="amazon_ads-connect-help"[^>]*disabled=""|disabled=""[^>]*aria-describedby="amazon_ads-connect-help"/,
    );
    const ready = render({ client_id: "amzn1.application-oa2-client.abc", client_secret: "••••••••9999" }, "/x");
    expect(ready).toContain("uses your own Login with Amazon app");
    expect(ready).not.toContain("first.");
    expect(render({ client_id: "amzn1.application-oa2-client.abc" }, "/x")).toContain(
      `Enter its ${label("client_secret")} first.`,
    );
    // With the server's own app, nothing needs typing: the button is enabled and the page names that app.
    const operator = "amzn1.application-oa2-client.operator1";
    const withOperator = render(null, "/x", operator);
    const operatorHelp = /<p class="help" id="amazon_ads-connect-help"[^>]*>(.*?)<\/p>/.exec(withOperator)?.[1] ?? "";
    expect(operatorHelp.replaceAll("&#x27;", "'")).toContain(`uses this server's app (${operator}): nothing to type`);
    expect(withOperator).not.toMatch(/disabled=""[^>]*aria-describedby="amazon_ads-connect-help"/);
    expect(withOperator).not.toMatch(/aria-describedby="amazon_ads-connect-help"[^>]*disabled=""/);
    // An organisation's own client ID wins over the server's app, on the page as in the sync.
    const own = render(
      { client_id: "amzn1.application-oa2-client.abc", client_secret: "••••••••9999" },
      "/x",
      operator,
    );
    expect(own).toContain("uses your own Login with Amazon app");
    expect(own).not.toContain(operator);
    // No Connect button, no text about it, in a section without one.
    expect(render(null)).not.toContain("amazon_ads-connect-help");
  });
});

describe("the settings page", () => {
  it("does not keep a field list of its own", () => {
    // A copy here would let the page drift from what the server validates and masks.
    for (const file of ["src/app/settings/page.tsx", "src/components/SettingsSection.tsx"]) {
      const source = fs.readFileSync(path.join(import.meta.dirname, "../..", file), "utf8");
      for (const section of SECTION_KEYS) {
        expect(source, file).not.toContain(`"${SETTINGS_SECTIONS[section].title}"`);
        for (const f of formFields(section)) expect(source, `${file}: ${f.label}`).not.toContain(`"${f.label}"`);
      }
      expect(source, file).not.toMatch(/secret:\s*true/);
    }
  });
});

describe("the settings' text", () => {
  const ads = {
    client_id: "amzn1.application-oa2-client.abc123",
    client_secret: "secret-value-1234",
    refresh_token: "Atzr|IwEBIexample",
    profile_id: "366822873177837",
  };

  it("refuses NUL and other control characters in every field, saying which field", () => {
    for (const [field, bad] of [
      ["refresh_token", "Atzr|IwEBI\u0000tail"],
      ["client_secret", "secret\u0007value"],
      ["refresh_token", "Atzr|IwEBI\nsecond line"],
      ["client_secret", "x\u007F"],
    ] as const) {
      const parsed = amazonAdsSettingsSchema.safeParse({ ...ads, [field]: bad });
      expect(parsed.success, JSON.stringify(bad)).toBe(false);
      expect(parsed.error!.issues.map((i) => `${i.path.join(".")}: ${i.message}`)).toContainEqual(
        expect.stringMatching(new RegExp(`^${field}: .* must not contain control characters`)),
      );
    }
    const sp = amazonSettingsSchema.safeParse({
      client_id: ads.client_id,
      client_secret: "s\u0000",
      refresh_token: ads.refresh_token,
      marketplace_id: "A1F83G8C2ARO7P",
    });
    expect(sp.success).toBe(false);
  });

  it("keeps printable text, Unicode included, and trims surrounding spaces", () => {
    const parsed = amazonAdsSettingsSchema.parse({ ...ads, client_secret: "  sécret–値 " });
    expect(parsed.client_secret).toBe("sécret–値");
  });
});
