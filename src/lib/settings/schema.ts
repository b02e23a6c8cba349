import { z } from "zod";

// The one place that says which settings exist, how they are validated and which fields are secret.

const required = (label: string) => z.string().trim().min(1, `${label} is required`).max(4096, `${label} is too long`);
const lwaClientId = (label: string) =>
  required(label).regex(
    /^amzn1\.application-oa2-client\.[A-Za-z0-9]+$/,
    `${label} should look like amzn1.application-oa2-client.…`,
  );

export const REGIONS = ["NA", "EU", "FE"] as const;
export type AdsRegion = (typeof REGIONS)[number];

export const amazonSettingsSchema = z.object({
  client_id: lwaClientId("Client ID"),
  client_secret: required("Client secret"),
  refresh_token: required("Refresh token"),
  marketplace_id: required("Marketplace ID").regex(
    /^[A-Z0-9]{10,16}$/,
    "Marketplace ID should look like A1F83G8C2ARO7P",
  ),
});
export type AmazonSettings = z.infer<typeof amazonSettingsSchema>;

export const amazonAdsSettingsSchema = z.object({
  client_id: lwaClientId("Client ID"),
  client_secret: required("Client secret"),
  refresh_token: required("Refresh token"),
  profile_id: required("Profile ID").regex(
    /^\d{1,20}$/,
    "Profile ID is the number Amazon gives the advertiser profile, digits only (e.g. 366822873177837)",
  ),
  // Rows saved before regions existed have no region: they were EU (the spec's hosts).
  region: z.enum(REGIONS, { message: "Region must be NA, EU or FE" }).default("EU"),
});
export type AmazonAdsSettings = z.infer<typeof amazonAdsSettingsSchema>;

export const SETTINGS_SECTIONS = {
  amazon: { schema: amazonSettingsSchema, secretFields: ["client_secret", "refresh_token"] },
  amazon_ads: { schema: amazonAdsSettingsSchema, secretFields: ["client_secret", "refresh_token"] },
} as const;
export type SectionKey = keyof typeof SETTINGS_SECTIONS;
export const SECTION_KEYS = Object.keys(SETTINGS_SECTIONS) as SectionKey[];
export type SectionValue<K extends SectionKey> = z.infer<(typeof SETTINGS_SECTIONS)[K]["schema"]>;

export function isSecretField(section: SectionKey, field: string): boolean {
  return (SETTINGS_SECTIONS[section].secretFields as readonly string[]).includes(field);
}
