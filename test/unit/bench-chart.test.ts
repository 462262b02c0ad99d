// The bench chart, drawn and looked at: rendered to PNG with the font it is laid out for, its text checked
// pixel by pixel against its bars (no label over a bar) and against its edges (nothing clipped), with
// stage and peer names longer than any real one. The PNG is kept in .cdclake/artifacts/ to be looked at.

import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { chartSvg, wrap } from '../../bench/chart.ts';
import { chartFonts, renderSvg, type Rendered } from '../../bench/chart-png.ts';
import type { Stage } from '../../bench/support.ts';

const ARTIFACTS = path.resolve(import.meta.dirname, '..', '..', '.cdclake', 'artifacts');

function stage(name: string, value: number, peer: string, peerValue: number, unit = 'records/s'): Stage {
  return {
    name,
    value,
    unit,
    peer,
    peer_value: peerValue,
    ratio: value / peerValue,
    target: '-',
    meets: true,
    vs_target: null,
  };
}

const stages: Stage[] = [
  stage(
    'producer -> Kafka (generator, Avro, idempotent, acks=all)',
    221_071,
    "Kafka's ProducerPerformance (records/s, 145-byte records)",
    557_227,
    'events/s',
  ),
  stage(
    'incremental snapshot of orders (1,000,000 rows, 20,000 changes streamed meanwhile) with a name far longer than any stage has today, so that it must wrap over more than one line of the chart',
    64_396,
    'single read under the exported snapshot, then the held-back stream; same table and changes, same run, and a peer description long enough to wrap over three lines or more in the column of labels',
    75_196,
    'rows/s',
  ),
  stage('consume -> raw', 148_557, 'kcat to /dev/null', 428_649),
  stage('a stage far below its peer', 1, 'a peer ten million times faster', 10_000_000),
  stage('a stage far above its peer', 9_999_999_999, 'a slow peer', 3),
  stage('a stage without a peer', 1_157_353, '-', Number.NaN, 'raw rows/s'),
  stage(
    'Unbreakablewordwithoutanyspacesthatisfarlongerthanalineofthechartcanholdatthisfontsizeatall',
    5,
    'p',
    4,
  ),
  stage('peak RSS (not a rate: not drawn)', 300, 'x', 1, 'MB'),
];
const freshness = Array.from({ length: 200 }, (_, i) => ({
  t: (i * 61) % 60.3,
  seconds: 0.5 + ((i * 7) % 13) / 4,
}));

/** The chart with only some of its elements (a line each), on a larger transparent canvas, offset. */
function only(svg: string, keep: (line: string) => boolean, pad: number): string {
  const lines = svg.split('\n');
  const head = lines[0] as string;
  const width = Number(/width="(\d+)"/.exec(head)?.[1]);
  const height = Number(/height="(\d+)"/.exec(head)?.[1]);
  const body = lines
    .slice(1)
    .filter((l) => l.startsWith('<') && !l.startsWith('</svg') && !l.startsWith('<rect width="100%"'));
  return (
    head.replace(/width="\d+" height="\d+"/, `width="${width + 2 * pad}" height="${height + 2 * pad}"`) +
    `\n<g transform="translate(${pad},${pad})">\n${body.filter(keep).join('\n')}\n</g>\n</svg>\n`
  );
}

const isText = (line: string): boolean => line.startsWith('<text');
/** Bars, the plot's frame, the target line and the freshness line: what text must stay off. */
const isShape = (line: string): boolean => /^<(rect|line|polyline) /.test(line);
const inked = (image: Rendered, x: number, y: number): boolean =>
  (image.pixels[(y * image.width + x) * 4 + 3] as number) > 0;

describe('the bench chart', () => {
  let fonts: string[];
  let svg: string;
  let width: number;
  let height: number;
  beforeAll(async () => {
    fonts = await chartFonts();
    svg = chartSvg(stages, freshness, 'cdclake bench, scale 1, a title, 2 cores');
    width = Number(/width="(\d+)"/.exec(svg)?.[1]);
    height = Number(/height="(\d+)"/.exec(svg)?.[1]);
  });

  test('is drawn to PNG, kept to be looked at', () => {
    const image = renderSvg(svg, fonts);
    expect([image.width, image.height]).toEqual([width, height]);
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    fs.writeFileSync(path.join(ARTIFACTS, 'bench-chart.png'), image.png);
    // Every rate stage is drawn, and nothing that is not a rate.
    for (const s of stages.filter((s) => s.unit.endsWith('/s'))) expect(svg).toContain(s.name.split(' ')[0]);
    expect(svg).not.toContain('peak RSS');
  });

  test('nothing is clipped: all text falls inside the image', () => {
    const pad = 300;
    const text = renderSvg(only(svg, isText, pad), fonts);
    const outside: string[] = [];
    for (let y = 0; y < text.height; y += 1)
      for (let x = 0; x < text.width; x += 1)
        if (inked(text, x, y) && (x < pad || x >= pad + width || y < pad || y >= pad + height))
          outside.push(`${x - pad},${y - pad}`);
    expect(outside.slice(0, 10)).toEqual([]);
  });

  test('no text is drawn over a bar or a line', () => {
    const text = renderSvg(only(svg, isText, 0), fonts);
    const bars = renderSvg(only(svg, isShape, 0), fonts);
    const overlaps: string[] = [];
    for (let y = 0; y < text.height; y += 1)
      for (let x = 0; x < text.width; x += 1)
        if (inked(text, x, y) && inked(bars, x, y)) overlaps.push(`${x},${y}`);
    expect(overlaps.slice(0, 10)).toEqual([]);
  });

  test('lines of text do not run into each other', () => {
    // Text lines drawn one at a time: no pixel is inked by two of them.
    const lines = svg.split('\n').filter(isText);
    const owner = new Map<number, number>();
    const clashes: string[] = [];
    lines.forEach((line, i) => {
      const image = renderSvg(
        only(`${svg.split('\n')[0]}\n${line}\n</svg>`, () => true, 0),
        fonts,
      );
      for (let p = 3; p < image.pixels.length; p += 4) {
        if ((image.pixels[p] as number) === 0) continue;
        const other = owner.get(p);
        if (other !== undefined && other !== i) clashes.push(`${lines[other]} / ${line}`);
        owner.set(p, i);
      }
    });
    expect([...new Set(clashes)].slice(0, 5)).toEqual([]);
  });

  test('long names wrap at spaces within the width; a word longer than a line is cut', () => {
    expect(wrap('a b c', 1000, 10)).toEqual(['a b c']);
    const lines = wrap('one two three four five six seven', 60, 10);
    expect(lines.join(' ')).toBe('one two three four five six seven');
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(9);
    expect(wrap('x'.repeat(25), 60, 10)).toEqual(['x'.repeat(9), 'x'.repeat(9), 'x'.repeat(7)]);
  });
});
