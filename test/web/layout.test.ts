// The playground at every width from 800 px: no sideways scroll and no control overlapping another, at 800,
// 1024 and 1440 px (screenshots in .artifacts/playground/layout-*.png); and for a CSV with more than two
// features, the Features panel lists the file's columns and the output says what it slices and where the
// other features are held, with a selector for the two it slices.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BrowserContext, Page } from 'playwright-core';
import { startPlayground, type PlaygroundServer } from '../../cli/playground.js';
import { loadDataset } from '../../src/datasets.js';
import { buildWeb } from '../../web/build.mjs';
import { chromiumSkip, launchChromium } from '../helpers/browser.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const shots = join(root, '.artifacts/playground');
const WIDTHS = [800, 1024, 1440] as const;

const env: { server?: PlaygroundServer; context?: BrowserContext; profile?: string } = {};

before(async () => {
  if (chromiumSkip !== false) return;
  await mkdir(shots, { recursive: true });
  await buildWeb();
  env.server = await startPlayground({ port: 0, open: false });
  env.profile = await mkdtemp(join(tmpdir(), 'mlpkit-layout-'));
  env.context = await launchChromium(env.profile);
});

after(async () => {
  await env.context?.close();
  await env.server?.close();
  if (env.profile !== undefined) await rm(env.profile, { recursive: true, force: true });
});

async function open(width: number): Promise<{ page: Page; errors: string[] }> {
  const page = await env.context!.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(`console: ${m.text()}`); });
  await page.setViewportSize({ width, height: 900 });
  await page.goto(env.server!.url);
  await page.waitForFunction(() => /^\d/.test(document.querySelector('[data-testid="test-loss"]')?.textContent ?? ''), undefined, { timeout: 20000 });
  return { page, errors };
}

/**
 * What the page would scroll sideways by, and every pair of visible controls whose boxes overlap (neither
 * inside the other). A script string, so that the test's compiler adds nothing the page lacks.
 */
const LAYOUT_PROBLEMS = `(() => {
  const CONTROLS = 'button, select, input:not([type="hidden"]), canvas, h2, h3, .losses, .legend, .iname, .column, #slice, .counter, .brand';
  const name = (e) => e.tagName.toLowerCase() + (e.id === '' ? '' : '#' + e.id)
    + (typeof e.className === 'string' && e.className.trim() !== '' ? '.' + e.className.trim().split(/\\s+/).join('.') : '')
    + ((e.textContent || '').trim() === '' ? '' : ' "' + (e.textContent || '').trim().slice(0, 20) + '"');
  const els = Array.from(document.querySelectorAll(CONTROLS)).flatMap((e) => {
    const r = e.getBoundingClientRect();
    return r.width > 0 && r.height > 0 && getComputedStyle(e).visibility !== 'hidden' ? [{ e, r }] : [];
  });
  const overlaps = [];
  for (let i = 0; i < els.length; i++) {
    for (let j = i + 1; j < els.length; j++) {
      const a = els[i], b = els[j];
      if (a.e.contains(b.e) || b.e.contains(a.e)) continue;
      const w = Math.min(a.r.right, b.r.right) - Math.max(a.r.left, b.r.left);
      const h = Math.min(a.r.bottom, b.r.bottom) - Math.max(a.r.top, b.r.top);
      if (w > 1 && h > 1) overlaps.push(name(a.e) + ' × ' + name(b.e) + ' (' + w.toFixed(0) + '×' + h.toFixed(0) + ' px)');
    }
  }
  return { sideways: document.documentElement.scrollWidth - document.documentElement.clientWidth, overlaps };
})()`;

const layoutProblems = (page: Page): Promise<{ sideways: number; overlaps: string[] }> => page.evaluate(LAYOUT_PROBLEMS) as Promise<{ sideways: number; overlaps: string[] }>;

for (const width of WIDTHS) {
  test(`at ${width} px the page does not scroll sideways and no two controls overlap`, { skip: chromiumSkip, timeout: 60000 }, async () => {
    const { page, errors } = await open(width);
    await page.screenshot({ path: join(shots, `layout-${width}.png`), fullPage: true });
    const { sideways, overlaps } = await layoutProblems(page);
    assert.equal(sideways, 0, `the page scrolls sideways by ${sideways} px`);
    assert.deepEqual(overlaps, []);
    assert.deepEqual(errors, []);
    await page.close();
  });
}

/** The wine table (13 features, 3 classes) as a CSV file. */
async function wineCsv(): Promise<string> {
  const wine = await loadDataset('wine');
  return [[...wine.featureNames, wine.targetName].join(','), ...wine.x.map((r, i) => [...r, wine.y[i]].join(','))].join('\n');
}

test('a 13-feature CSV: the Features panel lists its columns, the output names its slice and held values, and the selector moves the slice', { skip: chromiumSkip, timeout: 60000 }, async () => {
  const { page, errors } = await open(1024);
  const wine = await loadDataset('wine');
  const data = await page.evaluateHandle((t) => {
    const dt = new DataTransfer();
    dt.items.add(new File([t], 'wine.csv', { type: 'text/csv' }));
    return dt;
  }, await wineCsv());
  await page.dispatchEvent('[data-testid="dropzone"]', 'drop', { dataTransfer: data });
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="feature-column"]').length === 13);
  const [a, b, c] = wine.featureNames as [string, string, string];
  const rows = await page.locator('[data-testid="feature-column"]').allTextContents();
  assert.equal(rows[0], `${a}x₁, across`);
  assert.equal(rows[1], `${b}x₂, up`);
  assert.match(rows[2]!, new RegExp(`^${c.replace(/[()]/g, '\\$&')}held at \\d`));
  assert.equal(await page.locator('.feature').count(), 0, 'no transforms of two columns are offered');
  // Every column is an input: the two on the views and the eleven held.
  await page.waitForFunction(() => document.querySelectorAll('.neuron.input').length === 13);
  const slice = await page.textContent('[data-testid="slice"]') ?? '';
  assert.match(slice, new RegExp(`^A slice through ${a.replace(/[()]/g, '\\$&')} \\(across\\) × ${b.replace(/[()]/g, '\\$&')} \\(up\\); the other 11 features are held at their means: `));
  const mean = wine.x.reduce((s, r) => s + r[2]!, 0) / wine.x.length;
  assert.ok(slice.includes(`${c} = ${Number(mean.toPrecision(3))}`), `${c} held at its mean ${mean}: ${slice}`);

  await page.selectOption('[data-testid="view-y"]', '2');
  await page.waitForFunction((name) => (document.querySelector('[data-testid="slice"]')?.textContent ?? '').includes(`× ${name} (up)`), c);
  assert.match(await page.textContent('[data-testid="slice"]') ?? '', new RegExp(`${b.replace(/[()]/g, '\\$&')} = \\d`), 'the column that left the view is held now');
  await page.screenshot({ path: join(shots, 'layout-csv-1024.png'), fullPage: true });
  await page.setViewportSize({ width: 800, height: 900 });
  await page.screenshot({ path: join(shots, 'layout-csv-800.png'), fullPage: true });
  const { sideways, overlaps } = await layoutProblems(page);
  assert.equal(sideways, 0);
  assert.deepEqual(overlaps, []);
  assert.deepEqual(errors, []);
  await page.close();
});
