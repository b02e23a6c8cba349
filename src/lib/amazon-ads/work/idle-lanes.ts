/**
 * Where a worker's lanes wait when nothing is claimable: until their pause ends or another lane
 * finishes a unit (which may have made work due, freed a client key's slot, or left nothing, so the
 * run can end now rather than at the end of a pause) or the worker stops.
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

  wakeAll(): void {
    for (const done of [...this.waiting]) done();
  }
}
