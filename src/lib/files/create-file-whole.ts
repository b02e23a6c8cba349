import fs from "node:fs";

/**
 * Creates `file` with `content` unless it exists: written to a draft first, then hard-linked into
 * place, so another process sees either no file or the finished one, never an empty or partial
 * one. Returns false when the file already existed.
 */
export function createFileWhole(file: string, content: string, mode = 0o644): boolean {
  const draft = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(draft, content, { mode });
  try {
    fs.linkSync(draft, file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw error;
  } finally {
    fs.rmSync(draft, { force: true });
  }
}
