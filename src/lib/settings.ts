/**
 * An organisation's settings: the public surface the spec names (`lib/settings.ts`). Server code
 * outside the folder (routes, the CLI, the demo) imports from here:
 *   settings/schema.ts          the sections and their fields (zod), shared with the settings page
 *   settings/store.ts           encrypted rows in `settings`, read and written per organisation
 *   settings/form.ts            the settings page's server side: masked reads, partial updates, Test connection's values
 *   settings/masking.ts         secrets shown as ••••••••abcd, and the mask turned back into the stored value
 *   settings/crypto.ts          AES-256-GCM under SETTINGS_ENCRYPTION_KEY, bound to organisation and key
 *   settings/connect-result.ts  how "Connect with Amazon" ended, as the page shows it
 *   settings/dev-secrets.ts     development keys kept in the data folder when none is configured
 * Client components import only settings/schema.ts and settings/connect-result.ts (no server code).
 */
export type { AmazonAdsSettings, AmazonAdsSettingsInput, AmazonSettings } from "./settings/schema";
export {
  everyAmazonAdsSettings,
  getAmazonAdsSettings,
  getAmazonSettings,
  orgIdsWithSetting,
  saveAmazonAdsSettings,
  saveAmazonSettings,
} from "./settings/store";
export {
  readMaskedSettings,
  resolveFormValues,
  sectionFormSchema,
  settingsUpdateSchema,
  updateSettings,
  type MaskedSettings,
  type SettingsUpdate,
  type SettingsUpdateResult,
} from "./settings/form";
export { CONNECT_RESULT_PARAM } from "./settings/connect-result";
