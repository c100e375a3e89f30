// 10,000 services x 10 real servers: kipvs restore builds them in one batch, and kipvs dump reads
// them back exactly as ipvsadm prints them (at this size the kernel's dump order and ipvsadm's
// non-transitive sort meet every case).
import { expect, test } from '@jest/globals';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freshNetnsPerTest } from '../uml/jest-netns.js';
import { randomTable } from './ipvsadm-tables.js';
import { kipvs } from './kipvs-cli.js';

// A fresh namespace: a table built right after a flush would crawl (IPVS's real server trash list).
const netns = freshNetnsPerTest('dump-large');

const sortedLines = (text: string) =>
  text
    .split('\n')
    .filter((line) => line !== '')
    .sort();
/** ipvsadm -S prints marks of 2^31 and above as negative numbers (printf %d). */
const signedMarks = (rules: string) => rules.replace(/-f (\d+)/g, (_, mark: string) => `-f ${Number(mark) | 0}`);

test('10,000 x 10: kipvs restore builds the table; kipvs dump prints what ipvsadm -Sn and -Ln print', async () => {
  const rules = randomTable(10_000, 10, 99);
  const dir = await mkdtemp(join(tmpdir(), 'kipvs-large-'));
  try {
    await writeFile(join(dir, 'rules'), rules);
    expect(await kipvs(netns(), ['restore', join(dir, 'rules')])).toEqual({ status: 0, stdout: '', stderr: '' });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  const save = await netns().ipvsSave();
  expect(sortedLines(save)).toEqual(sortedLines(signedMarks(rules)));
  expect(await kipvs(netns(), ['dump', '-o', 'save'])).toEqual({ status: 0, stdout: save, stderr: '' });
  const list = (await netns().run('ipvsadm', ['-Ln'])).stdout;
  expect(await kipvs(netns(), ['dump'])).toEqual({ status: 0, stdout: list, stderr: '' });
});
