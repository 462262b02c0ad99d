// The chart of a bench run, as one SVG: throughput per stage beside its peer (bars), and end-to-end
// freshness over the freshness run (a line, with the 5 s target). Written by summary.ts next to latest.json.

import type { Stage } from './support.ts';

const WIDTH = 900;
const BAR = 22;
const GAP = 14;
const LABEL = 330;

function escape(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

function figure(value: number): string {
  return value >= 100
    ? Math.round(value).toLocaleString('en-US')
    : value.toLocaleString('en-US', { maximumFractionDigits: 2 });
}

export function chartSvg(
  stages: Stage[],
  freshness: { t: number; seconds: number }[],
  title: string,
): string {
  const rates = stages.filter((s) => s.unit.endsWith('/s') && Number.isFinite(s.value));
  const parts: string[] = [];
  let y = 40;
  parts.push(`<text x="10" y="24" font-size="16" font-weight="bold">${escape(title)}</text>`);
  parts.push(
    `<text x="10" y="${y}" font-size="13">Throughput per stage (dark: cdclake, light: its peer)</text>`,
  );
  y += 14;
  const max = Math.max(1, ...rates.flatMap((s) => [s.value, s.peer_value].filter(Number.isFinite)));
  const scale = (WIDTH - LABEL - 110) / max;
  for (const stage of rates) {
    parts.push(`<text x="10" y="${y + 15}" font-size="11">${escape(stage.name)}</text>`);
    parts.push(
      `<rect x="${LABEL}" y="${y}" width="${Math.max(1, stage.value * scale)}" height="${BAR / 2}" fill="#1f5f99"/>`,
      `<text x="${LABEL + stage.value * scale + 4}" y="${y + 10}" font-size="10">${figure(stage.value)} ${escape(stage.unit)}</text>`,
    );
    if (Number.isFinite(stage.peer_value) && stage.peer !== '-')
      parts.push(
        `<rect x="${LABEL}" y="${y + BAR / 2}" width="${Math.max(1, stage.peer_value * scale)}" height="${BAR / 2}" fill="#9cc3e6"/>`,
        `<text x="${LABEL + stage.peer_value * scale + 4}" y="${y + BAR}" font-size="10">${escape(stage.peer)}: ${figure(stage.peer_value)}</text>`,
      );
    y += BAR + GAP;
  }

  y += 20;
  const plotTop = y + 14;
  const plotHeight = 200;
  const plotLeft = 60;
  const plotWidth = WIDTH - plotLeft - 30;
  parts.push(
    `<text x="10" y="${y}" font-size="13">End-to-end freshness over the run (source commit to visible in bronze), seconds</text>`,
  );
  const tMax = Math.max(1, ...freshness.map((f) => f.t));
  const sMax = Math.max(6, ...freshness.map((f) => f.seconds));
  const px = (t: number): number => plotLeft + (t / tMax) * plotWidth;
  const py = (s: number): number => plotTop + plotHeight - (s / sMax) * plotHeight;
  parts.push(
    `<rect x="${plotLeft}" y="${plotTop}" width="${plotWidth}" height="${plotHeight}" fill="none" stroke="#888"/>`,
    `<line x1="${plotLeft}" x2="${plotLeft + plotWidth}" y1="${py(5)}" y2="${py(5)}" stroke="#c33" stroke-dasharray="4 3"/>`,
    `<text x="${plotLeft + plotWidth - 60}" y="${py(5) - 4}" font-size="10" fill="#c33">target 5 s</text>`,
  );
  for (let s = 0; s <= sMax; s += Math.max(1, Math.ceil(sMax / 6)))
    parts.push(`<text x="${plotLeft - 8}" y="${py(s) + 4}" font-size="10" text-anchor="end">${s}</text>`);
  parts.push(
    `<text x="${plotLeft + plotWidth / 2}" y="${plotTop + plotHeight + 28}" font-size="10" text-anchor="middle">seconds into the run (${freshness.length} probes)</text>`,
  );
  if (freshness.length > 0)
    parts.push(
      `<polyline fill="none" stroke="#1f5f99" stroke-width="1.5" points="${freshness
        .map((f) => `${px(f.t).toFixed(1)},${py(f.seconds).toFixed(1)}`)
        .join(' ')}"/>`,
    );
  const height = plotTop + plotHeight + 40;
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" font-family="sans-serif">\n` +
    `<rect width="100%" height="100%" fill="white"/>\n${parts.join('\n')}\n</svg>\n`
  );
}
