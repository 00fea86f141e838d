/** The only source of "now" in Patron: services take a Clock so tests can move time. */
export type Clock = { now(): Date };

export const systemClock: Clock = { now: () => new Date() };

/** A clock that stands still until told to move; for tests and replays. */
export class ManualClock implements Clock {
  private current: Date;
  constructor(start: Date | string = '2026-01-15T10:00:00Z') {
    this.current = new Date(start);
  }
  now(): Date {
    return new Date(this.current.getTime());
  }
  set(to: Date | string): void {
    this.current = new Date(to);
  }
  advance(ms: number): void {
    this.current = new Date(this.current.getTime() + ms);
  }
}
