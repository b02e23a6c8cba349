// Opens the configured database and waits: the parent sends SIGTERM to check the clean shutdown.
import fs from "node:fs";
import { getDbHandle } from "../../src/lib/db";

const handle = await getDbHandle();
fs.writeSync(1, `READY ${handle.kind}\n`);
setInterval(() => {}, 1 << 30);
