/**
 * Where a worker's lanes wait when nothing is claimable: until their pause ends, or another lane
 * finishes a unit (wakeOne: its slot is free for one claim; waking every lane for it sent a storm of
 * claims, all under one lock, whenever a busy client key freed a slot), or the run runs dry or stops
 * (wakeAll: every lane sees it now rather than at the end of its pause).
 */
export class IdleLanes {
  private waiting = new Set<() => void>();

  pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.waiting.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.waiting.add(done);
    });
  }

  /** Ends the pause that began first, if any. */
  wakeOne(): void {
    const [first] = this.waiting;
    first?.();
  }

  wakeAll(): void {
    for (const done of [...this.waiting]) done();
  }
}
