// Next.js calls register() once per server process.
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs" || process.env.NEXT_PHASE === "phase-production-build") return;
  const { onServerStart } = await import("./lib/server/startup");
  await onServerStart();
}
