import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  // No X-Powered-By: Next.js (what the server runs is nobody's business).
  poweredByHeader: false,
  // PGlite loads its wasm/data files by path at run time; bundling it breaks that under webpack.
  serverExternalPackages: ["@electric-sql/pglite"],
  logging: {
    // `next dev` prints every request's URL. The Connect with Amazon callback's carries the authorisation
    // code and state (CONNECT_CALLBACK_PATH in src/lib/amazon-ads/connect/connect.ts), so it is not printed.
    incomingRequests: { ignore: [/\/api\/amazon-ads\/callback(?:[/?#]|$)/] },
  },
};

export default nextConfig;
