// A token bucket for `--rate EVENTS_PER_S`: waits just long enough that events never run ahead of the rate.

import { setTimeout as sleep } from 'node:timers/promises';

export class RateLimit {
  private readonly perSecond: number;
  private readonly started = performance.now();
  private sent = 0;

  constructor(perSecond: number) {
    this.perSecond = perSecond;
  }

  async take(events: number): Promise<void> {
    this.sent += events;
    const due = this.started + (this.sent / this.perSecond) * 1000;
    const wait = due - performance.now();
    if (wait > 1) await sleep(wait);
  }
}
