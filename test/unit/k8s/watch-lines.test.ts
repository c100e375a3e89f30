// A watch's lines read from the bytes as they come: a line or a character cut between chunks is
// whole when delivered, empty lines are skipped, and a last line without its newline is still
// handed over (the reflector takes it for an event cut short).
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { readLines } from '../../../src/k8s/watch-stream.js';

function readerOf(chunks: readonly Uint8Array[]): ReadableStreamDefaultReader<Uint8Array> {
  let next = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      const chunk = chunks[next++];
      if (chunk === undefined) controller.close();
      else controller.enqueue(chunk);
    },
  }).getReader();
}

async function linesOf(chunks: readonly Uint8Array[]): Promise<{ lines: string[]; chunks: number }> {
  const lines: string[] = [];
  let heard = 0;
  await readLines(
    readerOf(chunks),
    new AbortController().signal,
    (line) => lines.push(line),
    () => heard++,
  );
  return { lines, chunks: heard };
}

/** `bytes` cut at the given offsets. */
function cut(bytes: Uint8Array, at: readonly number[]): Uint8Array[] {
  const points = [...new Set(at.map((n) => n % (bytes.length + 1)))].sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let from = 0;
  for (const point of [...points, bytes.length]) {
    out.push(bytes.subarray(from, point));
    from = point;
  }
  return out;
}

describe('readLines', () => {
  it('gives every non-empty line whole, however the bytes are cut, multi-byte characters included', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.string({ unit: 'grapheme', maxLength: 20 }).filter((s) => !s.includes('\n')),
          { maxLength: 8 },
        ),
        fc.array(fc.nat(400), { maxLength: 10 }),
        fc.boolean(),
        async (lines, cuts, finalNewline) => {
          const text = lines.join('\n') + (finalNewline ? '\n' : '');
          const { lines: got, chunks } = await linesOf(cut(new TextEncoder().encode(text), cuts));
          expect(got).toEqual(lines.filter((line) => line.trim() !== ''));
          expect(chunks).toBeGreaterThan(0);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('hands over a last line that has no newline', async () => {
    const encode = (s: string) => new TextEncoder().encode(s);
    expect((await linesOf([encode('{"type":"ADDED"}\n{"type":"MOD'), encode('IFIED"')])).lines).toEqual([
      '{"type":"ADDED"}',
      '{"type":"MODIFIED"',
    ]);
    // A two-byte character cut in half, then empty lines.
    const accented = encode('é\n\n  \n');
    expect((await linesOf([accented.subarray(0, 1), accented.subarray(1)])).lines).toEqual(['é']);
  });
});
