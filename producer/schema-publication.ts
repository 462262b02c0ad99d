// The producer's promise to every reader: a writer schema is on the schemas topic before any event written
// with it. A codec's schemas are added when the codec is made, and every send of events first publishes
// what is pending. Publishing where the codec is made was not enough: the codec was usable at once (a
// snapshot chunk could use it while the write was on its way), and when the write failed (a broker
// restarting) nothing published it again before the next table came, so events went out whose schema a
// consumer could never find (dead letters, CDC_UNKNOWN_SCHEMA).

import { fingerprintToHex, type WriterSchema } from '../core/events/fingerprint.ts';

export class SchemaPublication {
  private readonly write: (entries: { key: string; value: string }[]) => Promise<void>;
  private readonly published = new Set<string>();
  /** Fingerprint (hex) → schema JSON, not yet acknowledged by Kafka. */
  private readonly pending = new Map<string, string>();

  constructor(write: (entries: { key: string; value: string }[]) => Promise<void>) {
    this.write = write;
  }

  add(schemas: Pick<WriterSchema, 'fingerprint' | 'json'>[]): void {
    for (const schema of schemas) {
      const key = fingerprintToHex(schema.fingerprint);
      if (!this.published.has(key)) this.pending.set(key, schema.json);
    }
  }

  /** True when every schema added is on the schemas topic. */
  get ready(): boolean {
    return this.pending.size === 0;
  }

  /**
   * Publishes what is pending; resolves once Kafka has all of it, including schemas added meanwhile. A
   * failed write leaves them pending (and throws): the next send tries again before its events.
   */
  async flush(): Promise<void> {
    while (this.pending.size > 0) {
      const batch = [...this.pending];
      await this.write(batch.map(([key, value]) => ({ key, value })));
      for (const [key] of batch) {
        this.published.add(key);
        this.pending.delete(key);
      }
    }
  }
}
