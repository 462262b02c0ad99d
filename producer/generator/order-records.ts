// The orders' current state: one 32-byte record per order id in one buffer, so reading or changing an order
// touches a single cache line (the live phase picks orders at random among a million).
//   float64 [0] ordered_at ms  [1] updated_at ms
//   int32   [4] customer  [5] product  [6] unit price in cents  [7] quantity | discount << 8 | status << 16

const F64_PER_RECORD = 4;
const I32_PER_RECORD = 8;

export class OrderRecords {
  private readonly f64: Float64Array;
  private readonly i32: Int32Array;

  /** Room for ids 0 to capacity - 1. */
  constructor(capacity: number) {
    const buffer = new ArrayBuffer(capacity * F64_PER_RECORD * 8);
    this.f64 = new Float64Array(buffer);
    this.i32 = new Int32Array(buffer);
  }

  set(
    id: number,
    order: { customer: number; product: number; priceCents: number; quantity: number; discount: number },
    status: number,
    atMs: number,
  ): void {
    const f = id * F64_PER_RECORD;
    this.f64[f] = atMs;
    this.f64[f + 1] = atMs;
    const i = id * I32_PER_RECORD;
    this.i32[i + 4] = order.customer;
    this.i32[i + 5] = order.product;
    this.i32[i + 6] = order.priceCents;
    this.i32[i + 7] = order.quantity | (order.discount << 8) | (status << 16);
  }

  setStatus(id: number, status: number, atMs: number): void {
    const i = id * I32_PER_RECORD + 7;
    this.i32[i] = ((this.i32[i] as number) & 0xffff) | (status << 16);
    this.f64[id * F64_PER_RECORD + 1] = atMs;
  }

  orderedAtMs(id: number): number {
    return this.f64[id * F64_PER_RECORD] as number;
  }

  updatedAtMs(id: number): number {
    return this.f64[id * F64_PER_RECORD + 1] as number;
  }

  customer(id: number): number {
    return this.i32[id * I32_PER_RECORD + 4] as number;
  }

  product(id: number): number {
    return this.i32[id * I32_PER_RECORD + 5] as number;
  }

  priceCents(id: number): number {
    return this.i32[id * I32_PER_RECORD + 6] as number;
  }

  quantity(id: number): number {
    return (this.i32[id * I32_PER_RECORD + 7] as number) & 0xff;
  }

  discount(id: number): number {
    return ((this.i32[id * I32_PER_RECORD + 7] as number) >> 8) & 0xff;
  }

  status(id: number): number {
    return ((this.i32[id * I32_PER_RECORD + 7] as number) >> 16) & 0xff;
  }
}
