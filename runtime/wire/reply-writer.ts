/**
 * A protobuf writer for the runtime's own replies: one growable buffer, reused from one reply to the next, and
 * the few wire operations the envelope messages need. Unlike `BinaryWriter`, `finish()` returns a view, not a
 * copy: the caller must copy (or send) it before the next reply is begun. The transport does copy at once, as it
 * frames the message.
 */
import type Long from "long";

/** The buffer a writer starts with: most replies fit. */
const INITIAL_BYTES = 512;
/** Past this, the buffer is let go after the reply rather than kept for the life of the process. */
const KEPT_BYTES = 64 * 1024;

/** Protobuf wire types used here. @internal */
export const VARINT = 0;
/** @internal */
export const LENGTH_DELIMITED = 2;

/** @internal */
export class ReplyWriter {
  #buffer = Buffer.allocUnsafeSlow(INITIAL_BYTES);
  #pos = 0;
  /** Where each open submessage's one-byte length prefix was reserved. */
  readonly #forks: number[] = [];

  /** Starts a new reply, forgetting whatever a reply that threw midway left. */
  begin(): this {
    if (this.#buffer.length > KEPT_BYTES) this.#buffer = Buffer.allocUnsafeSlow(INITIAL_BYTES);
    this.#pos = 0;
    this.#forks.length = 0;
    return this;
  }

  /** The reply's bytes: a view into the writer's buffer, valid until `begin()` is called again. */
  finish(): Uint8Array {
    return this.#buffer.subarray(0, this.#pos);
  }

  tag(fieldNumber: number, wireType: number): this {
    return this.uint32((fieldNumber << 3) | wireType);
  }

  uint32(value: number): this {
    this.#ensure(5);
    const buffer = this.#buffer;
    let pos = this.#pos;
    let rest = value >>> 0;
    while (rest > 0x7f) {
      buffer[pos++] = (rest & 0x7f) | 0x80;
      rest >>>= 7;
    }
    buffer[pos++] = rest;
    this.#pos = pos;
    return this;
  }

  /** A signed 64-bit integer as protobuf's int64: two's complement, so a negative one takes ten bytes. */
  int64(value: Long): this {
    this.#ensure(10);
    const buffer = this.#buffer;
    let pos = this.#pos;
    let low = value.low >>> 0;
    let high = value.high >>> 0;
    while (high !== 0 || low > 0x7f) {
      buffer[pos++] = (low & 0x7f) | 0x80;
      low = ((low >>> 7) | (high << 25)) >>> 0;
      high >>>= 7;
    }
    buffer[pos++] = low;
    this.#pos = pos;
    return this;
  }

  bool(value: boolean): this {
    this.#ensure(1);
    this.#buffer[this.#pos++] = value ? 1 : 0;
    return this;
  }

  /** UTF-8, with a lone surrogate written as U+FFFD, as `TextEncoder` (and so `BinaryWriter`) writes it. */
  string(value: string): this {
    // At most three bytes per UTF-16 unit: a string that short has a one-byte length prefix whatever it holds.
    if (value.length * 3 < 0x80) {
      this.#ensure(1 + value.length * 3);
      const written = this.#buffer.write(value, this.#pos + 1, "utf8");
      this.#buffer[this.#pos] = written;
      this.#pos += 1 + written;
      return this;
    }
    const length = Buffer.byteLength(value, "utf8");
    this.uint32(length);
    this.#ensure(length);
    this.#pos += this.#buffer.write(value, this.#pos, length, "utf8");
    return this;
  }

  bytes(value: Uint8Array): this {
    this.uint32(value.length);
    this.#ensure(value.length);
    this.#buffer.set(value, this.#pos);
    this.#pos += value.length;
    return this;
  }

  /** Opens a submessage; `join()` writes its length in front of it. */
  fork(): this {
    this.#ensure(1);
    this.#forks.push(this.#pos);
    this.#pos += 1; // a one-byte length, widened by join() if the submessage is longer than 127 bytes
    return this;
  }

  join(): this {
    const start = this.#forks.pop();
    if (start === undefined) throw new Error("ReplyWriter.join without fork");
    const length = this.#pos - start - 1;
    if (length < 0x80) {
      this.#buffer[start] = length;
      return this;
    }
    let prefix = 1;
    for (let rest = length >>> 7; rest > 0; rest >>>= 7) prefix++;
    this.#ensure(prefix - 1);
    this.#buffer.copyWithin(start + prefix, start + 1, this.#pos);
    const end = this.#pos + prefix - 1;
    this.#pos = start;
    this.uint32(length);
    this.#pos = end;
    return this;
  }

  #ensure(bytes: number): void {
    const needed = this.#pos + bytes;
    if (needed <= this.#buffer.length) return;
    let size = this.#buffer.length * 2;
    while (size < needed) size *= 2;
    const grown = Buffer.allocUnsafeSlow(size);
    this.#buffer.copy(grown, 0, 0, this.#pos);
    this.#buffer = grown;
  }
}
