// What a real application does to its database beside the generator's inserts, updates and deletes, in a
// schema of its own (`chaos`): key updates (one row and a swap of two keys in one transaction), a TRUNCATE
// followed by new rows, ADD COLUMN ... DEFAULT, and a table created mid-run that then keeps changing. It
// rides through PostgreSQL restarts as an application with a reconnecting pool does: a statement cut off
// by a restart is tried again on a new connection, and every step is written so that doing it twice ends
// in the same state as doing it once, or in a state the lake must follow all the same.

import { setTimeout as sleep } from 'node:timers/promises';
import type pg from 'pg';
import { connectPostgres, isConnectionLoss } from '../../core/postgres-client.ts';

/** Tables the side workload writes, as `compareBronzeWithPostgres` names them. */
export const SIDE_TABLES = ['chaos.accounts', 'chaos.late_arrivals'];

export interface SideWorkload {
  /** Transactions committed so far. */
  readonly transactions: () => number;
  readonly done: Promise<void>;
  stop(): void;
}

export async function prepareSideSchema(url: string): Promise<void> {
  const db = await connectPostgres(url);
  try {
    await db.query('create schema if not exists chaos');
    await db.query(
      'create table chaos.accounts (id bigint primary key, name text, balance numeric(12, 2), score int)',
    );
    await db.query(
      "insert into chaos.accounts select i, 'n' || i, i * 1.25, i % 100 from generate_series(1, 5000) i",
    );
  } finally {
    await db.end();
  }
}

export interface SideSchedule {
  truncateAt: number;
  addColumnAt: number;
  createTableAt: number;
}

export function startSideWorkload(
  url: string,
  schedule: SideSchedule,
  random: () => number,
  note: (line: string) => void,
): SideWorkload {
  let stopped = false;
  let committed = 0;
  const started = Date.now();
  const pending = new Set<keyof SideSchedule>(['truncateAt', 'addColumnAt', 'createTableAt']);
  let nextId = 5001;
  let lateId = 1;
  let lateExists = false;
  let db: pg.Client | undefined;

  const inTransaction = async (statements: [string, unknown[]?][]): Promise<void> => {
    for (;;) {
      try {
        if (db === undefined) {
          db = await connectPostgres(url);
          db.on('error', () => undefined);
        }
        await db.query('begin');
        for (const [text, values] of statements) await db.query(text, values);
        await db.query('commit');
        committed++;
        return;
      } catch (error: unknown) {
        await db?.end().catch(() => undefined);
        db = undefined;
        if (!isConnectionLoss(error)) throw error;
        if (stopped) return;
        await sleep(300);
      }
    }
  };

  const once = async (step: keyof SideSchedule): Promise<void> => {
    switch (step) {
      case 'truncateAt': {
        const from = nextId;
        nextId += 2000;
        await inTransaction([
          ['truncate chaos.accounts'],
          [
            "insert into chaos.accounts (id, name, balance, score) select i, 'after-truncate', i * 0.5, 7 from generate_series($1::bigint, $2::bigint) i on conflict do nothing",
            [from, from + 1999],
          ],
        ]);
        note('side workload: TRUNCATE chaos.accounts, then 2000 new rows');
        return;
      }
      case 'addColumnAt':
        await inTransaction([
          ["alter table chaos.accounts add column if not exists tier text default 'basic'"],
        ]);
        note("side workload: ALTER TABLE chaos.accounts ADD COLUMN tier text DEFAULT 'basic'");
        return;
      case 'createTableAt':
        await inTransaction([
          [
            'create table if not exists chaos.late_arrivals (id bigint primary key, note text, amount numeric(10, 2))',
          ],
          [
            "insert into chaos.late_arrivals select i, 'first', i * 0.25 from generate_series(1, 3000) i on conflict do nothing",
          ],
        ]);
        lateId = 3001;
        lateExists = true;
        note('side workload: CREATE TABLE chaos.late_arrivals with 3000 rows');
        return;
    }
  };

  const step = async (i: number): Promise<void> => {
    const pick = (): number => 1 + Math.floor(random() * (nextId - 1));
    const statements: [string, unknown[]?][] = [
      ['update chaos.accounts set balance = balance + 1, score = $2 where id = $1', [pick(), i % 1000]],
      ["insert into chaos.accounts (id, name, balance, score) values ($1, 'new', 1, 1)", [nextId++]],
    ];
    if (i % 4 === 0) statements.push(['delete from chaos.accounts where id = $1', [pick()]]);
    // A key update: the row moves to a new key (an id never used, so no conflict whatever ran before).
    if (i % 3 === 0) statements.push(['update chaos.accounts set id = $2 where id = $1', [pick(), nextId++]]);
    // Two keys swapped inside one transaction, through a third.
    if (i % 25 === 0) {
      const a = pick();
      const b = pick();
      if (a !== b)
        statements.push(
          ['update chaos.accounts set id = -1 where id = $1', [a]],
          ['update chaos.accounts set id = $1 where id = $2', [a, b]],
          ['update chaos.accounts set id = $1 where id = -1', [b]],
        );
    }
    if (lateExists) {
      statements.push(["insert into chaos.late_arrivals values ($1, 'later', 1.5)", [lateId++]]);
      statements.push([
        "update chaos.late_arrivals set amount = amount + 1, note = 'changed' where id = $1",
        [1 + Math.floor(random() * (lateId - 1))],
      ]);
      if (i % 5 === 0)
        statements.push([
          'delete from chaos.late_arrivals where id = $1',
          [1 + Math.floor(random() * (lateId - 1))],
        ]);
    }
    await inTransaction(statements);
  };

  const done = (async () => {
    for (let i = 0; !stopped; i++) {
      const elapsed = (Date.now() - started) / 1000;
      for (const key of [...pending]) {
        if (elapsed >= schedule[key]) {
          pending.delete(key);
          await once(key);
        }
      }
      await step(i);
      await sleep(100);
    }
    await db?.end().catch(() => undefined);
  })();

  return {
    transactions: () => committed,
    done,
    stop: () => {
      stopped = true;
    },
  };
}
