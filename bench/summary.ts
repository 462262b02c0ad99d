// The end of `npm run bench`: every stage measured in this run (bench/results/<bench>.json, written by each
// benchmark) in one table on stdout and one file, bench/results/latest.json, with a dated copy, shaped
// { machine, scale, stages: [{ name, value, unit, peer, peer_value, ratio, target, meets }] }.
//   npx tsx bench/summary.ts --since <ISO time> [--scale X]

import fs from 'node:fs';
import path from 'node:path';
import { chartSvg } from './chart.ts';
import { chartFonts, renderSvg } from './chart-png.ts';
import { argNumber, argString, machine, table, type Stage } from './support.ts';

const BENCHES = [
  'producer',
  'snapshot',
  'capture',
  'debezium-capture',
  'consumer',
  'debezium',
  'merge',
  'merge-scale',
  'merge-scale-out',
  'freshness',
];
const dir = path.join(import.meta.dirname, 'results');
const since = Date.parse(argString('since') ?? '1970-01-01T00:00:00Z');
const scale = argNumber('scale', 1);

const stages: Stage[] = [];
const missing: string[] = [];
for (const bench of BENCHES) {
  const file = path.join(dir, `${bench}.json`);
  const result = fs.existsSync(file)
    ? (JSON.parse(fs.readFileSync(file, 'utf8')) as { date?: string; stages: Stage[] })
    : undefined;
  // Only figures of this run: a stage that failed must not show an older run's figure.
  if (result === undefined || Date.parse(result.date ?? '') < since) missing.push(bench);
  else stages.push(...result.stages);
}
const date = new Date().toISOString();
const summary = { machine: machine(), scale, date, stages };
fs.writeFileSync(path.join(dir, 'latest.json'), JSON.stringify(summary, null, 2) + '\n');
fs.writeFileSync(path.join(dir, `${date.slice(0, 10)}.json`), JSON.stringify(summary, null, 2) + '\n');
const seriesFile = path.join(dir, 'freshness-series.json');
const series = fs.existsSync(seriesFile)
  ? (JSON.parse(fs.readFileSync(seriesFile, 'utf8')) as { t: number; seconds: number }[])
  : [];
const chart = chartSvg(
  stages,
  series,
  `cdclake bench, scale ${scale}, ${date.slice(0, 10)}, ${summary.machine.cores} cores`,
);
fs.writeFileSync(path.join(dir, 'latest.svg'), chart);
fs.writeFileSync(path.join(dir, 'latest.png'), renderSvg(chart, await chartFonts()).png);
process.stdout.write(
  `\n## Every stage of this run (scale ${scale})\n\n${table(stages)}\n` +
    (missing.length > 0 ? `\nno result from this run: ${missing.join(', ')}\n` : '') +
    `\nresults: ${path.join(dir, 'latest.json')}, chart: ${path.join(dir, 'latest.svg')} (and .png)\n`,
);
process.exit(missing.length > 0 ? 1 : 0);
