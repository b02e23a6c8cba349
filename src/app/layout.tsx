import type { Metadata } from "next";
import type { ReactNode } from "react";
import "./globals.css";

export const metadata: Metadata = { title: "Amazon Ads Sync" };
// Every page renders per request: its scripts carry that response's CSP nonce (src/proxy.ts), which a
// page prerendered at build time could not.
export const dynamic = "force-dynamic";

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>{children}</body>
    </html>
  );
}
