import { sql } from "drizzle-orm";
import { getDbHandle } from "@/lib/db";

export const dynamic = "force-dynamic";

export async function GET() {
  try {
    const handle = await getDbHandle();
    await handle.db.execute(sql`select 1`);
    return Response.json({ ok: true, database: handle.kind });
  } catch {
    return Response.json({ ok: false, database: "unavailable" }, { status: 503 });
  }
}
