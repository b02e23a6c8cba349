import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  // PGlite loads its wasm/data files by path at run time; bundling it breaks that under webpack.
  serverExternalPackages: ["@electric-sql/pglite"],
};

export default nextConfig;
