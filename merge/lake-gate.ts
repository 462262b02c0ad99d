// The lake work of one DuckDB instance, in two kinds. DuckLake keeps the catalog it read in a cache per schema
// version, shared by the instance's connections. A commit that changes the schema (a table created, altered
// or replaced) drops the entry that another connection's transaction may still be using, and that transaction
// then reads freed memory: a model committed under the wrong schema (`main` instead of `silver`, a bronze
// table read back with a silver model's columns), or a crash (duckdb/ducklake#1248). A merge process merges
// bronze on one connection while the models build on another, so a schema change there runs alone: it waits
// for the shared work under way to end, and new work waits for it.
//
// Shared work: reading the lake, merging, a model build that keeps its table. A schema change asked for from
// within shared work (a merge creating its bronze table) sets that work's share aside while it runs.

import { AsyncLocalStorage } from 'node:async_hooks';

/** Runs a schema change (DDL) with no other lake work of the instance under way. */
export type SchemaChange = <T>(work: () => Promise<T>) => Promise<T>;

/** For code that runs alone on its instance anyway (a benchmark's bare merge, a test). */
export const alone: SchemaChange = (work) => work();

/** The two kinds of lake work, as code that does both sees them. */
export interface LakeWork {
  shared<T>(work: () => Promise<T>): Promise<T>;
  readonly schemaChange: SchemaChange;
}

export const ALONE: LakeWork = { shared: (work) => work(), schemaChange: alone };

export class LakeGate implements LakeWork {
  private readonly holding = new AsyncLocalStorage<boolean>();
  private active = 0;
  private changing = false;
  /** Schema changes waiting: new shared work waits behind them, so a busy instance cannot starve them. */
  private waiting = 0;
  private wakers: (() => void)[] = [];

  async shared<T>(work: () => Promise<T>): Promise<T> {
    if (this.holding.getStore() === true) return work();
    while (this.changing || this.waiting > 0) await this.next();
    this.active++;
    try {
      return await this.holding.run(true, work);
    } finally {
      this.active--;
      this.wake();
    }
  }

  readonly schemaChange: SchemaChange = async (work) => {
    const held = this.holding.getStore() === true;
    if (held) {
      this.active--;
      this.wake();
    }
    this.waiting++;
    // The check and the claim happen in one turn, so two waiters woken together cannot both go.
    while (this.changing || this.active > 0) await this.next();
    this.waiting--;
    this.changing = true;
    try {
      return await this.holding.run(false, work);
    } finally {
      this.changing = false;
      this.wake();
      if (held) {
        while (this.changing) await this.next();
        this.active++;
      }
    }
  };

  private wake(): void {
    const wakers = this.wakers;
    this.wakers = [];
    for (const wake of wakers) wake();
  }

  private next(): Promise<void> {
    return new Promise<void>((resolve) => this.wakers.push(resolve));
  }
}
