import type { NextConfig } from "next";

// scripts/test.sh builds once for the browser tests: CI checks the types itself (npm run typecheck),
// and its clone is fresh each time, so Turbopack's build cache would be written and never read
// (together about half of that build on 2 cores).
const forTests = process.env.AMAZON_ADS_TEST_BUILD === "1";

const nextConfig: NextConfig = {
  // No X-Powered-By: Next.js (what the server runs is nobody's business).
  poweredByHeader: false,
  // PGlite loads its wasm/data files by path at run time; bundling it breaks that under webpack.
  serverExternalPackages: ["@electric-sql/pglite"],
  typescript: { ignoreBuildErrors: forTests },
  experimental: { turbopackFileSystemCacheForBuild: !forTests },
  logging: {
    // `next dev` prints every request's URL. The Connect with Amazon callback's carries the authorisation
    // code and state (CONNECT_CALLBACK_PATH in src/lib/amazon-ads/connect/connect.ts), so it is not printed.
    incomingRequests: { ignore: [/\/api\/amazon-ads\/callback(?:[/?#]|$)/] },
  },
};

export default nextConfig;
