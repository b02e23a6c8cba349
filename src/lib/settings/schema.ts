import { z } from "zod";

// The one place that says which settings exist, how they are validated, which fields are secret and
// how the settings page shows them. Only zod here: the settings page (a client component) imports it.

/** How one settings field is shown on the settings page. */
export interface FieldMeta {
  /** The visible <label>; the browser tests find fields by it. */
  label: string;
  /** Required, so a new field cannot become visible by omission: secrets only leave the server masked. */
  secret: boolean;
  help?: string;
}

/** An enum field must label each of its values, so a value added to the enum cannot reach the page unlabelled. */
type MetaFor<T extends z.ZodType> =
  string extends z.output<T> ? FieldMeta : FieldMeta & { optionLabels: Record<z.output<T> & string, string> };

type FieldsMeta<S extends z.ZodObject> = { [F in keyof S["shape"]]: MetaFor<S["shape"][F]> };

// Credentials and ids are printable text: a NUL or another control character is a paste gone wrong
// (or a probe), never part of one, and would reach Amazon's forms and our logs as it is.
const NO_CONTROL_CHARACTERS = /^\P{Cc}*$/u;
const printable = (label: string) => (text: z.ZodString) =>
  text.regex(NO_CONTROL_CHARACTERS, `${label} must not contain control characters (such as NUL or a line break)`);
const required = (label: string) =>
  printable(label)(z.string().trim().min(1, `${label} is required`).max(4096, `${label} is too long`));
const LWA_CLIENT_ID = /^amzn1\.application-oa2-client\.[A-Za-z0-9]+$/;
const lwaClientId = (label: string) =>
  required(label).regex(LWA_CLIENT_ID, `${label} should look like amzn1.application-oa2-client.…`);
const optionalText = (label: string) => printable(label)(z.string().trim().max(4096, `${label} is too long`));

export const REGIONS = ["NA", "EU", "FE"] as const;
export type AdsRegion = (typeof REGIONS)[number];
const REGION_LABELS: Record<AdsRegion, string> = {
  NA: "North America (US, CA, MX, BR)",
  EU: "Europe (UK, DE, FR, IT, ES, NL, …)",
  FE: "Far East (JP, AU, SG)",
};

// Both sections hold a Login with Amazon app's credentials, so these fields read the same in each.
const CLIENT_ID = { label: "Client ID", secret: false, help: "amzn1.application-oa2-client.…" } as const;
const ADS_CLIENT_ID = {
  ...CLIENT_ID,
  help: "amzn1.application-oa2-client.… Leave empty to sign in with this server's app, when it has one (see Connect with Amazon below).",
} as const;
const CLIENT_SECRET = { label: "Client secret", secret: true } as const;
const ADS_CLIENT_SECRET = { ...CLIENT_SECRET, help: "Only with your own client ID." } as const;
const REFRESH_TOKEN = { label: "Refresh token", secret: true } as const;
const MARKETPLACE_ID = { label: "Marketplace ID", secret: false, help: "e.g. A1F83G8C2ARO7P (UK)" } as const;
const PROFILE_ID = {
  label: "Profile ID",
  secret: false,
  help: "The advertiser profile (e.g. 366822873177837); several separated by commas. Test connection lists them all.",
} as const;
export const PROFILE_SCOPES = ["listed", "all"] as const;
export type ProfileScope = (typeof PROFILE_SCOPES)[number];
const PROFILES = {
  label: "Profiles to sync",
  secret: false,
  help: "Every profile follows its own marketplace's region and time zone",
  optionLabels: {
    listed: "The profile IDs above",
    all: "Every profile this login can see (new ones join automatically)",
  } satisfies Record<ProfileScope, string>,
} as const;
const REGION = {
  label: "Region",
  secret: false,
  help: "Where the login signs in; each profile's own region is found automatically",
  optionLabels: REGION_LABELS,
} as const;

export const amazonSettingsSchema = z.object({
  client_id: lwaClientId(CLIENT_ID.label),
  client_secret: required(CLIENT_SECRET.label),
  refresh_token: required(REFRESH_TOKEN.label),
  marketplace_id: required(MARKETPLACE_ID.label).regex(
    /^[A-Z0-9]{10,16}$/,
    "Marketplace ID should look like A1F83G8C2ARO7P",
  ),
});
export type AmazonSettings = z.infer<typeof amazonSettingsSchema>;

// Empty (every profile), one id, or several separated by commas.
const PROFILE_LIST = /^(\d{1,20}(\s*,\s*\d{1,20})*)?$/;

export const amazonAdsSettingsSchema = z
  .object({
    // Empty: the operator's app (AMAZON_ADS_CLIENT_ID/SECRET) signs this organisation in; both set: its own app.
    client_id: optionalText(CLIENT_ID.label)
      .refine(
        (v) => v === "" || LWA_CLIENT_ID.test(v),
        `${CLIENT_ID.label} should look like amzn1.application-oa2-client.…`,
      )
      .default(""),
    client_secret: optionalText(CLIENT_SECRET.label).default(""),
    refresh_token: required(REFRESH_TOKEN.label),
    // The spec's field: one id means exactly that profile, as before; a list means those profiles.
    profile_id: z
      .string()
      .trim()
      .max(4096, "Profile ID is too long")
      .regex(
        PROFILE_LIST,
        "Profile ID is the number Amazon gives the advertiser profile, digits only (e.g. 366822873177837); separate several with commas",
      )
      .default(""),
    // Rows saved before profile choice existed synced exactly their profile_id.
    profiles: z.enum(PROFILE_SCOPES, { message: "Profiles to sync must be listed or all" }).default("listed"),
    // Rows saved before regions existed have no region: they were EU (the spec's hosts).
    region: z.enum(REGIONS, { message: "Region must be NA, EU or FE" }).default("EU"),
  })
  .superRefine((value, ctx) => {
    const issue = (field: string, message: string) => ctx.addIssue({ code: "custom", path: [field], message });
    if (value.client_id !== "" && value.client_secret === "")
      issue(
        "client_secret",
        "Client secret is required with a client ID (clear the client ID to use this server's app)",
      );
    if (value.profiles === "listed" && value.profile_id === "")
      issue("profile_id", "Profile ID is required unless every profile is synced");
  })
  // A secret without its client id means nothing: clearing the client id switches to the operator's app.
  .overwrite((value) => (value.client_id === "" ? { ...value, client_secret: "" } : value));
export type AmazonAdsSettings = z.infer<typeof amazonAdsSettingsSchema>;
/** What a caller may save: the fields with defaults can be left out. */
export type AmazonAdsSettingsInput = z.input<typeof amazonAdsSettingsSchema>;

// Generic so that `fields` is checked against the schema's keys: a field without a label does not compile.
function defineSection<S extends z.ZodObject>(section: {
  title: string;
  testUrl: string;
  schema: S;
  fields: FieldsMeta<S>;
}) {
  const secretFields: readonly string[] = Object.entries(section.fields as Record<string, FieldMeta>)
    .filter(([, meta]) => meta.secret)
    .map(([name]) => name);
  return { ...section, secretFields };
}

export const SETTINGS_SECTIONS = {
  amazon: defineSection({
    title: "Amazon SP-API",
    testUrl: "/api/test/amazon",
    schema: amazonSettingsSchema,
    fields: {
      client_id: CLIENT_ID,
      client_secret: CLIENT_SECRET,
      refresh_token: REFRESH_TOKEN,
      marketplace_id: MARKETPLACE_ID,
    },
  }),
  amazon_ads: defineSection({
    title: "Amazon Ads API",
    testUrl: "/api/test/amazon-ads",
    schema: amazonAdsSettingsSchema,
    fields: {
      client_id: ADS_CLIENT_ID,
      client_secret: ADS_CLIENT_SECRET,
      refresh_token: REFRESH_TOKEN,
      profile_id: PROFILE_ID,
      profiles: PROFILES,
      region: REGION,
    },
  }),
};
export type SectionKey = keyof typeof SETTINGS_SECTIONS;
export const SECTION_KEYS = Object.keys(SETTINGS_SECTIONS) as SectionKey[];
export type SectionValue<K extends SectionKey> = z.infer<(typeof SETTINGS_SECTIONS)[K]["schema"]>;

export function isSecretField(section: SectionKey, field: string): boolean {
  return SETTINGS_SECTIONS[section].secretFields.includes(field);
}

/** One input of a settings form, as the settings page renders it. */
export interface FormField extends FieldMeta {
  name: string;
  /** Present for enum fields: a <select> instead of a text input. */
  options?: Array<{ value: string; label: string }>;
  /** What an empty form starts with: the schema's default, so the form and a saved-without-it row agree. */
  defaultValue?: string;
}

/** The section's form, in the schema's field order. */
export function formFields(section: SectionKey): FormField[] {
  const { schema, fields } = SETTINGS_SECTIONS[section];
  const shape = schema.shape as Record<string, z.ZodType>;
  const metas = fields as Record<string, FieldMeta & { optionLabels?: Record<string, string> }>;
  return Object.entries(shape).map(([name, type]) => {
    const { optionLabels, ...meta } = metas[name]!;
    const values = enumValues(type);
    const fallback = type.safeParse(undefined).data;
    return {
      name,
      ...meta,
      ...(values && { options: values.map((value) => ({ value, label: optionLabels?.[value] ?? value })) }),
      ...(fallback !== undefined && fallback !== "" && { defaultValue: String(fallback) }),
    };
  });
}

function enumValues(type: z.ZodType): readonly string[] | undefined {
  let inner: z.ZodType = type;
  while (inner instanceof z.ZodDefault || inner instanceof z.ZodOptional) inner = inner.unwrap() as z.ZodType;
  return inner instanceof z.ZodEnum ? (inner.options as readonly string[]) : undefined;
}

/** The profile ids an Ads settings row names, in order, without repeats. */
export function listedProfileIds(settings: Pick<AmazonAdsSettings, "profile_id">): string[] {
  const ids = settings.profile_id.split(",").map((id) => id.trim());
  return [...new Set(ids.filter(Boolean))];
}
