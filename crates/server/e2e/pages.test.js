// End-to-end tests of the web page in headless Chromium (Debian's, driven by playwright-core):
// search → open an article → entities highlighted → open a speaker → their quotations;
// article text that looks like HTML stays text; keyboard and phone use.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
const bin = resolve(process.env.KHABAR_BIN ?? join(here, '../../../target/debug/khabar'));
const chrome = process.env.CHROMIUM ?? '/usr/bin/chromium';
let dir, server, base, browser;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'khabar-e2e-'));
  const db = join(dir, 'db');
  const index = spawnSync(bin, ['index', '--db', db, join(here, 'articles.jsonl')], { encoding: 'utf8' });
  assert.equal(index.status, 0, index.stderr);
  server = spawn(bin, ['serve', '--db', db, '--addr', '127.0.0.1:0'], { stdio: ['ignore', 'ignore', 'pipe'] });
  base = await new Promise((ok, fail) => {
    let err = '';
    server.stderr.on('data', (d) => {
      err += d;
      const m = err.match(/on (http:\/\/127\.0\.0\.1:\d+)\//);
      if (m) ok(m[1]);
    });
    server.on('exit', (code) => fail(new Error(`khabar serve exited (${code}): ${err}`)));
  });
  browser = await chromium.launch({
    executablePath: chrome,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
           '--disable-sync', '--no-first-run', '--disable-quic'],
  });
});

after(async () => {
  await browser?.close();
  server?.kill();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function newPage(options = {}) {
  const page = await browser.newPage(options);
  const dialogs = [];
  page.on('dialog', (d) => { dialogs.push(d.message()); d.dismiss(); });
  page.dialogs = dialogs;
  return page;
}

test('search, open an article, see its entities, open a speaker, read their quotations', async () => {
  const page = await newPage();
  await page.goto(base + '/');
  assert.equal(await page.getAttribute('html', 'dir'), 'rtl');
  await page.fill('input[name=q]', 'الهدنة');
  await page.press('input[name=q]', 'Enter');
  await page.waitForSelector('ol.hits li a.hit-title');
  const hits = await page.locator('ol.hits a.hit-title').allTextContents();
  assert.ok(hits.some((t) => t.includes('هدنة إنسانية')), hits.join(' | '));
  assert.ok(await page.locator('aside ul.facets li').count() >= 2, 'outlet facets');

  await page.locator('ol.hits a.hit-title').first().click();
  await page.waitForSelector('article.body');
  const people = page.locator('article.body a.ent-per');
  assert.ok(await people.count() >= 1, 'a person is highlighted');
  const bg = await people.first().evaluate((el) => getComputedStyle(el).backgroundColor);
  assert.notEqual(bg, 'rgba(0, 0, 0, 0)', 'entities are coloured');
  // Latin names inside Arabic text are isolated, not reordered into the sentence.
  assert.ok((await page.locator('article.body').textContent()).includes('UNICEF'));

  const speaker = page.locator('section.quotes a.speaker').first();
  const name = (await speaker.textContent()).trim();
  assert.equal(name, 'عادل الجبير');
  await speaker.click();
  await page.waitForSelector('h1');
  assert.ok((await page.locator('h1').textContent()).includes('عادل الجبير'));
  const said = await page.locator('#said-h + ul blockquote').allTextContents();
  assert.ok(said.some((q) => q.includes('الهدنة فرصة')), said.join(' | '));
  assert.ok(await page.locator('.chart .bar').count() >= 1, 'mentions per day chart');
  assert.deepEqual(page.dialogs, []);
  await page.close();
});

test('article text that looks like HTML is shown as text', async () => {
  const page = await newPage();
  await page.goto(base + '/articles/a3');
  assert.equal(await page.locator('h1').textContent(), '<script>alert(1)</script>');
  assert.ok((await page.locator('article.body').textContent()).includes('<img src=x onerror=alert(2)>'));
  assert.equal(await page.locator('article.body img').count(), 0);
  await page.goto(base + '/?q=' + encodeURIComponent('معرض'));
  await page.waitForSelector('ol.hits');
  assert.ok((await page.locator('ol.hits').textContent()).includes('<script>alert(1)</script>'));
  await page.waitForTimeout(200);
  assert.deepEqual(page.dialogs, []);
  if (process.env.KHABAR_SCREENSHOT) {
    await page.setViewportSize({ width: 1100, height: 900 });
    await page.goto(base + '/articles/a1');
    await page.screenshot({ path: process.env.KHABAR_SCREENSHOT, fullPage: true });
  }
  await page.close();
});

test('the story page and the paste-an-article page', async () => {
  const page = await newPage();
  await page.goto(base + '/articles/a1');
  await page.click('a[href^="/stories/"]');
  await page.waitForSelector('.timeline');
  assert.equal(await page.locator('.tl-row').count(), 2, 'two outlets on the timeline');
  await page.goto(base + '/analyze');
  await page.fill('textarea[name=text]', 'قال وزير الطاقة سامر الخطيب في عمّان إن الأسعار ستنخفض 15%.');
  await page.click('form.analyze button');
  await page.waitForSelector('article.body');
  assert.ok(await page.locator('article.body a.ent-per').count() >= 1);
  assert.ok((await page.locator('table.quantities').textContent()).includes('15'));
  await page.close();
});

test('keyboard only, and a phone-sized screen', async () => {
  const page = await newPage({ viewport: { width: 375, height: 740 } });
  await page.goto(base + '/?q=' + encodeURIComponent('الهدنة'));
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.className), 'skip');
  // Tab to the first hit and open it with Enter.
  for (let i = 0; i < 40; i++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate(() => document.activeElement.classList.contains('hit-title'))) break;
  }
  assert.ok(await page.evaluate(() => document.activeElement.classList.contains('hit-title')));
  await page.keyboard.press('Enter');
  await page.waitForSelector('article.body');
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 1, `the page is ${overflow}px wider than the phone`);
  await page.close();
});
