// An organisation's settings: the public surface the spec names (`lib/settings.ts`); server code outside the
// folder imports from here. The folder's files: docs/architecture.md.
export type { AmazonAdsSettings, AmazonSettings } from "./settings/schema";
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
} from "./settings/form";
export { CONNECT_RESULT_PARAM } from "./settings/connect-result";
