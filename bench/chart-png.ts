// Renders the bench chart's SVG to PNG (resvg, with DejaVu Sans: the font the chart's layout is measured
// for), so the chart can be looked at where SVG is not shown, and checked pixel by pixel in its test.

import fs from 'node:fs';
import { Resvg } from '@resvg/resvg-js';
import { aptInstall } from '../scripts/services/tools.ts';

const FONT_DIR = '/usr/share/fonts/truetype/dejavu';
const FONTS = ['DejaVuSans.ttf', 'DejaVuSans-Bold.ttf'].map((f) => `${FONT_DIR}/${f}`);

/** DejaVu Sans, installed from Debian's fonts-dejavu-core when it is missing. */
export async function chartFonts(): Promise<string[]> {
  if (!FONTS.every((f) => fs.existsSync(f)))
    await aptInstall(['fonts-dejavu-core'], 'to draw the bench chart (DejaVu Sans)');
  return FONTS;
}

export interface Rendered {
  width: number;
  height: number;
  /** RGBA, row by row. */
  pixels: Buffer;
  png: Buffer;
}

export function renderSvg(svg: string, fonts: string[]): Rendered {
  const image = new Resvg(svg, {
    font: { loadSystemFonts: false, fontFiles: fonts, defaultFontFamily: 'DejaVu Sans' },
  }).render();
  return { width: image.width, height: image.height, pixels: Buffer.from(image.pixels), png: image.asPng() };
}
