// Headless Chromium for the tests that look at a page: Debian's chromium package (installed when missing and
// the tests run as root), driven by playwright-core, which brings no browser of its own.

import fs from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { aptInstall } from '../../scripts/services/tools.ts';

const CHROMIUM = '/usr/bin/chromium';

export async function launchChromium(): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM)) await aptInstall(['chromium'], 'to test the dashboard in a browser');
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    // As root (CI) Chromium refuses its sandbox; /dev/shm is small in containers.
    args: ['--no-sandbox', '--disable-dev-shm-usage'],
  });
}

/** Every sample of a /metrics text: `name{labels}` as written, and its value. */
export function parseMetrics(text: string): Map<string, number> {
  const values = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    values.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return values;
}
