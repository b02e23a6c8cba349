// Import rules checked in CI (`npm run check:imports`). dependency-cruiser rather than madge because
// besides cycles between files it checks the direction between folders, which is what keeps the tree
// readable: a folder may import only from folders below it in LAYERS, never from one above.
const LAYERS = [
  ["src/lib/(env|log|errors)\\.ts$", "src/lib/files/", "src/lib/catalogue/"],
  ["src/lib/db/"],
  ["src/lib/settings/", "src/lib/sync-logs\\.ts$", "src/lib/rate-limit\\.ts$"],
  ["src/lib/auth/"],
  ["src/lib/orgs/"],
  ["src/lib/amazon/"],
  ["src/lib/amazon-ads/api/"],
  ["src/lib/amazon-ads/report-file/", "src/lib/amazon-ads/plan/"],
  ["src/lib/amazon-ads/storage/"],
  ["src/lib/amazon-ads/queue/"],
  ["src/lib/amazon-ads/reporting/"],
  ["src/lib/amazon-ads/sync/", "src/lib/amazon-ads/connect/", "src/lib/amazon-ads/test-connection\\.ts$"],
  ["src/lib/amazon-ads/work/"],
  ["src/lib/amazon-ads\\.ts$"],
  ["src/lib/http/", "src/lib/server/"],
  ["src/app/", "src/components/", "src/proxy\\.ts$", "src/instrumentation\\.ts$"],
];

const layerRules = LAYERS.flatMap((layer, i) => {
  const above = LAYERS.slice(i + 1).flat();
  if (above.length === 0) return [];
  return [
    {
      name: `layer-${i}-not-upwards`,
      comment: "A lower folder imports a higher one: a back-edge between folders (see LAYERS)",
      severity: "error",
      from: { path: `(${layer.join("|")})` },
      to: { path: `(${above.join("|")})` },
    },
  ];
});

module.exports = {
  forbidden: [
    {
      name: "no-circular",
      comment: "An import cycle between files",
      severity: "error",
      from: {},
      to: { circular: true },
    },
    {
      name: "sync-through-its-surface",
      comment:
        "Routes, the CLI, the scheduler and the demo use the sync through src/lib/amazon-ads.ts, not its folders",
      severity: "error",
      from: { path: "^(src/app/|src/lib/http/|src/lib/server/|scripts/(ads|demo)\\.ts|scripts/lib/)" },
      to: { path: "^src/lib/amazon-ads/" },
    },
    {
      name: "settings-through-its-surface",
      comment:
        "Routes and the CLI use settings through src/lib/settings.ts; client components only its schema and connect-result",
      severity: "error",
      from: { path: "^(src/app/api/|scripts/(ads|demo)\\.ts|scripts/lib/)" },
      to: { path: "^src/lib/settings/" },
    },
    {
      name: "client-settings-without-server-code",
      comment: "Pages and components run in the browser: settings/schema.ts and settings/connect-result.ts only",
      severity: "error",
      from: { path: "^src/(components/|app/[^/]+/page\\.tsx)" },
      to: { path: "^src/lib/settings(\\.ts$|/(?!schema\\.ts$|connect-result\\.ts$))" },
    },
    ...layerRules,
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "(^|/)(node_modules|\\.next|\\.data)/" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: { exportsFields: ["exports"], conditionNames: ["import", "require", "node", "default"] },
  },
};
