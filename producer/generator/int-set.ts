// A set of small non-negative integers (ids) with O(1) add, delete and uniform random pick, in typed arrays.
// The workload keeps one per order status and one for customers without orders, with no per-id objects.

export class IntSet {
  private items: Int32Array;
  /** Where each id sits in `items`, or -1; may be shared by sets that never hold the same id at once. */
  private readonly slots: Int32Array;
  size = 0;

  constructor(slots: Int32Array) {
    this.slots = slots;
    this.items = new Int32Array(1024);
  }

  /** A slot array for ids in [0, capacity), all absent, to give one or more sets. */
  static slots(capacity: number): Int32Array {
    return new Int32Array(capacity).fill(-1);
  }

  has(id: number): boolean {
    const slot = this.slots[id] ?? -1;
    return slot >= 0 && slot < this.size && this.items[slot] === id;
  }

  add(id: number): void {
    if (this.has(id)) return;
    if (this.size === this.items.length) {
      const grown = new Int32Array(this.items.length * 2);
      grown.set(this.items);
      this.items = grown;
    }
    this.items[this.size] = id;
    this.slots[id] = this.size++;
  }

  delete(id: number): void {
    if (!this.has(id)) return;
    const slot = this.slots[id] as number;
    const last = this.items[--this.size] as number;
    this.items[slot] = last;
    this.slots[last] = slot;
    this.slots[id] = -1;
  }

  /** The id at `index` in [0, size), in no particular order: pick with `at(random.int(size))`. */
  at(index: number): number {
    return this.items[index] as number;
  }
}
