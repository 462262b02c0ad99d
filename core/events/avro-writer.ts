// Avro binary written straight into a reusable slab, one message after another, each handed out as a view
// of the slab: no intermediate records, no per-field type dispatch, no copy per message (TableCodec's fast path).

/** A new slab's size; a message larger than what is left moves to a new slab of at least twice its size. */
const SLAB_BYTES = 64 * 1024;
/** A message starts on a new slab when less than this is left, so a message seldom has to move. */
const SLAB_RESERVE = 2048;
/** Up to 2^52 a zigzag long (2|n| at most) stays below 2^53, where numbers are exact. */
const NUMBER_SAFE = 2 ** 52;
const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;
/** Decimal digits a number holds exactly (10^15 < 2^53). */
const EXACT_DIGITS = 15;
/** Below 2^31 a zigzag value fits in an unsigned 32-bit shift. */
const INT31 = 0x7fffffff;

const FLOAT32 = new Float32Array(1);
const FLOAT32_BYTES = new Uint8Array(FLOAT32.buffer);
const FLOAT64 = new Float64Array(1);
const FLOAT64_BYTES = new Uint8Array(FLOAT64.buffer);

/** Writes Avro's primitive encodings; the caller checks values against their types before writing them. */
export class AvroWriter {
  private buf: Buffer = Buffer.allocUnsafe(SLAB_BYTES);
  private start = 0;
  private pos = 0;

  /** Starts a message with its fixed first bytes (the single-object header). */
  begin(header: Uint8Array): void {
    // A slab grown for one large message is left to that message alone, so it goes when the message does.
    if (this.buf.length - this.pos < SLAB_RESERVE || this.buf.length > SLAB_BYTES) {
      this.buf = Buffer.allocUnsafe(SLAB_BYTES);
      this.pos = 0;
    }
    this.start = this.pos;
    this.raw(header);
  }

  /** The message written since `begin`, as a view the writer never writes to again. */
  finish(): Buffer {
    const message = this.buf.subarray(this.start, this.pos);
    this.start = this.pos;
    return message;
  }

  /** Forgets the message begun: the next one starts where it did. */
  abandon(): void {
    this.pos = this.start;
  }

  /** Ready-made bytes (a placeholder, a header). */
  raw(bytes: Uint8Array): void {
    const length = bytes.length;
    if (this.pos + length > this.buf.length) this.grow(length);
    const buf = this.buf;
    let pos = this.pos;
    if (length <= 32) {
      for (let i = 0; i < length; i++) buf[pos++] = bytes[i] as number;
    } else {
      buf.set(bytes, pos);
      pos += length;
    }
    this.pos = pos;
  }

  /** One byte: a union branch index as its zigzag varint (0 -> 0, 1 -> 2), a small length, a boolean. */
  byte(value: number): void {
    if (this.pos >= this.buf.length) this.grow(1);
    this.buf[this.pos++] = value;
  }

  boolean(value: boolean): void {
    this.byte(value ? 1 : 0);
  }

  /** An int or long given as an integer number with |n| <= 2^52: zigzag, then a varint. */
  long(n: number): void {
    if (this.pos + 10 > this.buf.length) this.grow(10);
    const buf = this.buf;
    let pos = this.pos;
    if (n >= -0x40000000 && n < 0x40000000) {
      let zigzag = ((n << 1) ^ (n >> 31)) >>> 0;
      while (zigzag > 0x7f) {
        buf[pos++] = (zigzag & 0x7f) | 0x80;
        zigzag >>>= 7;
      }
      buf[pos++] = zigzag;
    } else {
      let zigzag = n >= 0 ? n * 2 : -n * 2 - 1;
      while (zigzag > INT31) {
        // `& 0x7f` reads the low bits of any integer below 2^53 (ToInt32 keeps them).
        buf[pos++] = (zigzag & 0x7f) | 0x80;
        zigzag = Math.floor(zigzag / 0x80);
      }
      while (zigzag > 0x7f) {
        buf[pos++] = (zigzag & 0x7f) | 0x80;
        zigzag >>>= 7;
      }
      buf[pos++] = zigzag;
    }
    this.pos = pos;
  }

  /** A long given as a bigint; false (nothing written) when it is outside the int64 range. */
  int64(value: bigint): boolean {
    const n = Number(value);
    // Number() is exact below 2^53 and rounds anything larger to at least 2^53, so this test is exact.
    if (n >= -NUMBER_SAFE && n <= NUMBER_SAFE) {
      this.long(n);
      return true;
    }
    if (value < INT64_MIN || value > INT64_MAX) return false;
    if (this.pos + 10 > this.buf.length) this.grow(10);
    let zigzag = BigInt.asUintN(64, (value << 1n) ^ (value >> 63n));
    while (zigzag >= 0x80n) {
      this.buf[this.pos++] = Number(zigzag & 0x7fn) | 0x80;
      zigzag >>= 7n;
    }
    this.buf[this.pos++] = Number(zigzag);
    return true;
  }

  /** 4 bytes, little-endian IEEE 754 single precision (what Buffer.writeFloatLE writes). */
  float(value: number): void {
    FLOAT32[0] = value;
    this.raw(FLOAT32_BYTES);
  }

  /** 8 bytes, little-endian IEEE 754 double precision. */
  double(value: number): void {
    FLOAT64[0] = value;
    this.raw(FLOAT64_BYTES);
  }

  bytes(value: Uint8Array): void {
    this.long(value.length);
    this.raw(value);
  }

  /**
   * A string: its UTF-8 length, then its bytes, byte for byte what avsc 5.7 writes (which, for strings of
   * at most 64 bytes, encodes a lone surrogate as its own three bytes rather than as U+FFFD).
   */
  string(value: string): void {
    const length = value.length;
    // ASCII (the usual case) is one byte per character: try that first, with a one-byte length.
    if (length < 64) {
      if (this.pos + 1 + length > this.buf.length) this.grow(1 + length);
      const buf = this.buf;
      const at = this.pos + 1;
      let i = 0;
      for (; i < length; i++) {
        const code = value.charCodeAt(i);
        if (code >= 0x80) break;
        buf[at + i] = code;
      }
      if (i === length) {
        buf[at - 1] = length << 1;
        this.pos = at + length;
        return;
      }
    }
    const byteLength = Buffer.byteLength(value);
    this.long(byteLength);
    if (this.pos + byteLength > this.buf.length) this.grow(byteLength);
    if (byteLength > 64) {
      this.buf.write(value, this.pos, byteLength, 'utf8');
      this.pos += byteLength;
      return;
    }
    const buf = this.buf;
    let pos = this.pos;
    for (let i = 0; i < length; i++) {
      let code = value.charCodeAt(i);
      if (code < 0x80) {
        buf[pos++] = code;
      } else if (code < 0x800) {
        buf[pos++] = (code >> 6) | 0xc0;
        buf[pos++] = (code & 0x3f) | 0x80;
      } else if ((code & 0xfc00) === 0xd800 && (value.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
        code = 0x10000 + ((code & 0x03ff) << 10) + (value.charCodeAt(++i) & 0x03ff);
        buf[pos++] = (code >> 18) | 0xf0;
        buf[pos++] = ((code >> 12) & 0x3f) | 0x80;
        buf[pos++] = ((code >> 6) & 0x3f) | 0x80;
        buf[pos++] = (code & 0x3f) | 0x80;
      } else {
        buf[pos++] = (code >> 12) | 0xe0;
        buf[pos++] = ((code >> 6) & 0x3f) | 0x80;
        buf[pos++] = (code & 0x3f) | 0x80;
      }
    }
    // Buffer.byteLength counts a lone surrogate as U+FFFD's three bytes too, so the length still holds.
    this.pos += byteLength;
  }

  /**
   * An Avro decimal (bytes) from plain decimal text at `scale`, when the text is simple: an optional sign,
   * digits and one optional point, at most `precision` and at most 15 significant digits, fractional digits
   * beyond the scale all zero. False (nothing written) otherwise: the caller then takes the checked path,
   * which either writes the same bytes or refuses the value by name.
   */
  decimalText(text: string, precision: number, scale: number): boolean {
    const length = text.length;
    let i = 0;
    let negative = false;
    const first = text.charCodeAt(0);
    if (first === 0x2d) {
      negative = true;
      i = 1;
    } else if (first === 0x2b) {
      i = 1;
    }
    let unscaled = 0;
    let significant = 0;
    let fractionDigits = 0;
    let digits = 0;
    let point = false;
    for (; i < length; i++) {
      const code = text.charCodeAt(i);
      if (code >= 0x30 && code <= 0x39) {
        digits++;
        if (point) {
          if (fractionDigits === scale) {
            if (code !== 0x30) return false;
            continue;
          }
          fractionDigits++;
        }
        if (significant > 0 || code !== 0x30) {
          if (++significant > EXACT_DIGITS) return false;
          unscaled = unscaled * 10 + (code - 0x30);
        }
      } else if (code === 0x2e && !point) {
        point = true;
      } else {
        return false;
      }
    }
    if (digits === 0) return false;
    if (significant > 0) {
      significant += scale - fractionDigits;
      if (significant > precision || significant > EXACT_DIGITS) return false;
      unscaled *= 10 ** (scale - fractionDigits);
    }
    this.unscaled(negative ? -unscaled : unscaled);
    return true;
  }

  /**
   * An Avro decimal (bytes) of an unscaled integer with |n| < 2^53: the shortest two's-complement
   * big-endian bytes, what Java's BigInteger.toByteArray gives (and unscaledToBytes).
   */
  unscaled(n: number): void {
    // The one's complement of a negative number has the same byte length as the number.
    const magnitude = n < 0 ? -n - 1 : n;
    let length = 1;
    for (let limit = 0x80; magnitude >= limit; limit *= 0x100) length++;
    if (this.pos + 1 + length > this.buf.length) this.grow(1 + length);
    const buf = this.buf;
    buf[this.pos++] = length << 1;
    let pos = this.pos + length;
    if (length <= 4) {
      for (let i = 0; i < length; i++, n >>= 8) buf[--pos] = n & 0xff;
    } else {
      const high = Math.floor(n / 0x100000000);
      let low = n - high * 0x100000000;
      for (let i = 0; i < 4; i++, low >>>= 8) buf[--pos] = low & 0xff;
      let rest = high;
      for (let i = 4; i < length; i++, rest >>= 8) buf[--pos] = rest & 0xff;
    }
    this.pos += length;
  }

  /** Room for `needed` more bytes: the message begun moves to a new slab, large enough to hold it. */
  private grow(needed: number): void {
    const used = this.pos - this.start;
    const larger = Buffer.allocUnsafe(Math.max(SLAB_BYTES, (used + needed) * 2));
    this.buf.copy(larger, 0, this.start, this.pos);
    this.buf = larger;
    this.start = 0;
    this.pos = used;
  }
}
