// What `npm run ads` can be asked: the one list scripts/ads.ts checks arguments against and
// scripts/lib/commands.ts runs. Kept apart from the commands so that checking loads nothing heavy.

export const COMMANDS = ["request", "collect", "queue", "worker", "status", "verify", "backfill", "org"] as const;
export const ORG_COMMANDS = ["list", "add", "member"] as const;

/** A command line that parsed: the command, its organisation, and the options as given. */
export interface Invocation {
  command: (typeof COMMANDS)[number];
  orgCommand?: (typeof ORG_COMMANDS)[number];
  orgId: number | null;
  budgetMs?: number;
  workers: number;
  json: boolean;
  collect: boolean;
  from?: string;
  to?: string;
  profile?: string;
  name?: string;
  email?: string;
  role?: string;
  password?: string;
  remove?: boolean;
  "admin-email"?: string;
  "admin-password"?: string;
}
