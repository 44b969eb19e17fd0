// The one source of time. Tests inject a `ManualClock`; nothing else calls Date.now().
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

export class ManualClock implements Clock {
  constructor(private ms: number) {}
  now(): number { return this.ms; }
  advance(ms: number): void { this.ms += ms; }
  set(ms: number): void { this.ms = ms; }
}

/** `2026-11-28T16:25:13Z`: the form Alibaba's APIs print, without milliseconds. */
export function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
