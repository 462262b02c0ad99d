// The chart of a bench run, as one SVG: each stage's throughput beside its peer's (bars on the stage's own
// scale, since the stages count different things), and end-to-end freshness over the freshness run (a
// line, with the p99 target). Written by summary.ts next to latest.json.
//
// Layout, so nothing runs into anything: each stage's name on its own line(s) above its bars, the bars in
// the left column, their figures and the peer's name in a column of their own on the right, wrapped to fit.

import type { Stage } from './support.ts';

const WIDTH = 900;
const MARGIN = 10;
const BARS = 520;
const LABELS_AT = MARGIN + BARS + 12;
const BAR = 12;
const FRESHNESS_TARGET_S = 2;
/** A conservative width of a character of DejaVu Sans (wider than most), in ems. */
const EM_PER_CHAR = 0.62;

function escape(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

function figure(value: number): string {
  return value >= 100
    ? Math.round(value).toLocaleString('en-US')
    : value.toLocaleString('en-US', { maximumFractionDigits: 2 });
}

/** `text` in lines at most `width` pixels wide at `fontSize`, broken at spaces (a longer word is cut). */
export function wrap(text: string, width: number, fontSize: number): string[] {
  const perLine = Math.max(8, Math.floor(width / (fontSize * EM_PER_CHAR)));
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter((w) => w !== '')) {
    const candidate = line === '' ? word : `${line} ${word}`;
    if (candidate.length <= perLine) {
      line = candidate;
      continue;
    }
    if (line !== '') lines.push(line);
    let rest = word;
    while (rest.length > perLine) {
      lines.push(rest.slice(0, perLine));
      rest = rest.slice(perLine);
    }
    line = rest;
  }
  if (line !== '') lines.push(line);
  return lines.length > 0 ? lines : [''];
}

function textLines(x: number, y: number, lines: string[], fontSize: number, extra = ''): string {
  return lines
    .map(
      (line, i) =>
        `<text x="${x}" y="${y + i * (fontSize + 3)}" font-size="${fontSize}"${extra}>${escape(line)}</text>`,
    )
    .join('\n');
}

export function chartSvg(
  stages: Stage[],
  freshness: { t: number; seconds: number }[],
  title: string,
): string {
  const rates = stages.filter((s) => s.unit.endsWith('/s') && Number.isFinite(s.value));
  const parts: string[] = [];
  let y = 24;
  parts.push(textLines(MARGIN, y, wrap(title, WIDTH - 2 * MARGIN, 16), 16, ' font-weight="bold"'));
  y += 22;
  parts.push(
    textLines(
      MARGIN,
      y,
      wrap(
        'Throughput per stage, each on its own scale (dark: cdclake, light: its peer in the same run)',
        WIDTH - 2 * MARGIN,
        13,
      ),
      13,
    ),
  );
  y += 12;
  const labelWidth = WIDTH - MARGIN - LABELS_AT;
  for (const stage of rates) {
    y += 16;
    const name = wrap(stage.name, WIDTH - 2 * MARGIN, 12);
    parts.push(textLines(MARGIN, y, name, 12, ' font-weight="bold"'));
    y += (name.length - 1) * 15 + 6;
    const hasPeer = Number.isFinite(stage.peer_value) && stage.peer !== '-' && stage.peer_value > 0;
    const max = Math.max(stage.value, hasPeer ? stage.peer_value : 0, Number.MIN_VALUE);
    const ours = wrap(`${figure(stage.value)} ${stage.unit}`, labelWidth, 10);
    parts.push(
      `<rect x="${MARGIN}" y="${y}" width="${Math.max(1, (stage.value / max) * BARS).toFixed(1)}" height="${BAR}" fill="#1f5f99"/>`,
      textLines(LABELS_AT, y + 10, ours, 10),
    );
    let rowHeight = Math.max(BAR, ours.length * 13);
    if (hasPeer) {
      const peerY = y + rowHeight + 3;
      const peer = wrap(`${stage.peer}: ${figure(stage.peer_value)}`, labelWidth, 10);
      parts.push(
        `<rect x="${MARGIN}" y="${peerY}" width="${Math.max(1, (stage.peer_value / max) * BARS).toFixed(1)}" height="${BAR}" fill="#9cc3e6"/>`,
        textLines(LABELS_AT, peerY + 10, peer, 10, ' fill="#333"'),
      );
      rowHeight += 3 + Math.max(BAR, peer.length * 13);
    }
    y += rowHeight;
  }

  y += 34;
  const plotTop = y + 14;
  const plotHeight = 200;
  const plotLeft = 50;
  // Room on the right for the target's label, clear of the line.
  const plotWidth = WIDTH - plotLeft - 100;
  parts.push(
    textLines(
      MARGIN,
      y,
      wrap(
        'End-to-end freshness over the run (source commit to visible in bronze), seconds',
        WIDTH - 2 * MARGIN,
        13,
      ),
      13,
    ),
  );
  const tMax = Math.max(1, ...freshness.map((f) => f.t));
  const sMax = Math.max(FRESHNESS_TARGET_S + 1, Math.ceil(Math.max(0, ...freshness.map((f) => f.seconds))));
  const px = (t: number): number => plotLeft + (t / tMax) * plotWidth;
  const py = (s: number): number => plotTop + plotHeight - (s / sMax) * plotHeight;
  parts.push(
    `<rect x="${plotLeft}" y="${plotTop}" width="${plotWidth}" height="${plotHeight}" fill="none" stroke="#888"/>`,
    `<line x1="${plotLeft}" x2="${plotLeft + plotWidth}" y1="${py(FRESHNESS_TARGET_S)}" y2="${py(FRESHNESS_TARGET_S)}" stroke="#c33" stroke-dasharray="4 3"/>`,
    `<text x="${plotLeft + plotWidth + 6}" y="${py(FRESHNESS_TARGET_S) + 4}" font-size="10" fill="#c33">p99 target ${FRESHNESS_TARGET_S} s</text>`,
  );
  const sStep = Math.max(1, Math.ceil(sMax / 6));
  for (let s = 0; s <= sMax; s += sStep)
    parts.push(`<text x="${plotLeft - 8}" y="${py(s) + 4}" font-size="10" text-anchor="end">${s}</text>`);
  const tStep = Math.max(1, Math.ceil(tMax / 8 / 5) * 5);
  for (let t = 0; t <= tMax; t += tStep)
    parts.push(
      `<text x="${px(t).toFixed(1)}" y="${plotTop + plotHeight + 14}" font-size="10" text-anchor="middle">${t}</text>`,
    );
  parts.push(
    `<text x="${plotLeft + plotWidth / 2}" y="${plotTop + plotHeight + 30}" font-size="10" text-anchor="middle">seconds into the measured window (${freshness.length} probes)</text>`,
  );
  // Probes finish out of order: drawn in the order they were taken.
  const series = [...freshness].sort((a, b) => a.t - b.t);
  if (series.length > 0)
    parts.push(
      `<polyline fill="none" stroke="#1f5f99" stroke-width="1.5" points="${series
        .map((f) => `${px(f.t).toFixed(1)},${py(f.seconds).toFixed(1)}`)
        .join(' ')}"/>`,
    );
  const height = plotTop + plotHeight + 42;
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" font-family="DejaVu Sans, sans-serif">\n` +
    `<rect width="100%" height="100%" fill="white"/>\n${parts.join('\n')}\n</svg>\n`
  );
}
