// Text written straight into one growing buffer of UTF-8 bytes. A dump of 100,000 real
// servers is 100,000 lines: kept as strings and joined, then encoded for the write, they cost
// a string per line, the joined copy and its encoding; written here, the line's pieces go
// into the bytes the output is written from.

export class TextBuffer {
  private bytes: Buffer;
  private length = 0;

  constructor(initialBytes = 1 << 16) {
    this.bytes = Buffer.allocUnsafe(initialBytes);
  }

  /** Appends `text` as UTF-8. */
  write(text: string): this {
    // A UTF-16 code unit is at most 3 bytes of UTF-8.
    const most = text.length * 3;
    if (this.length + most > this.bytes.length) {
      const grown = Buffer.allocUnsafe(Math.max(this.bytes.length * 2, this.length + most));
      this.bytes.copy(grown, 0, 0, this.length);
      this.bytes = grown;
    }
    this.length += this.bytes.write(text, this.length);
    return this;
  }

  /** The bytes written so far (a view: write no more once it is taken). */
  view(): Buffer {
    return this.bytes.subarray(0, this.length);
  }
}
