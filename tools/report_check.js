#!/usr/bin/env node
// Opens a LiteSR HTML report in headless Chromium (puppeteer-core, Debian's `chromium`) from a file:// URL,
// drives it like a user and prints what it observed as one JSON object on stdout; the C++ tests
// (tests/testing/browser_check.h) assert on it. It asserts nothing itself.
//
//   node tools/report_check.js REPORT.html --browser /usr/bin/chromium --screenshot OUT.png
//
// Observations: console errors, uncaught page errors and every request that is not a file:// or data: URL;
// whether the page became ready; every score cell (table data-* attributes, cell data-value and text) and
// every model-table cell; the zoom/pan state and canvas checksums of the first panel before and after a
// wheel zoom, a keyboard zoom, a button zoom and a drag; the before/after divider after arrow keys and a click;
// the row order after sorting by a column; the focus order from pressing Tab; images without alt text and
// canvases without a role or label. Exit status: 0 when the page could be driven, 2 on usage errors, 3 when
// the browser could not be started (the tests then skip), 1 otherwise.
'use strict';

const path = require('path');

function usage(msg) {
  process.stderr.write('report_check: ' + msg + '\n' +
                       'usage: node report_check.js REPORT.html --browser PATH [--screenshot OUT.png]\n');
  process.exit(2);
}

const argv = process.argv.slice(2);
let report = null, browserPath = process.env.LITESR_CHROMIUM || null, screenshot = null, maxTabs = 250;
for (let i = 0; i < argv.length; ++i) {
  if (argv[i] === '--browser') browserPath = argv[++i];
  else if (argv[i] === '--screenshot') screenshot = argv[++i];
  else if (argv[i] === '--max-tabs') maxTabs = Number(argv[++i]);
  else if (argv[i].startsWith('--')) usage('unknown option ' + argv[i]);
  else report = argv[i];
}
if (!report) usage('no report given');
if (!browserPath) usage('no browser given (--browser or $LITESR_CHROMIUM)');

let puppeteer;
try {
  puppeteer = require('puppeteer-core');
} catch (e) {
  process.stderr.write('report_check: puppeteer-core is not installed (cd tools && npm ci)\n');
  process.exit(3);
}

// A cheap checksum of a canvas's pixels (runs in the page).
function canvasSums() {
  return Array.prototype.map.call(document.querySelectorAll('article.panel')[0].querySelectorAll('canvas'), (c) => {
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let h = 2166136261;
    for (let i = 0; i < d.length; i += 7) h = Math.imul(h ^ d[i], 16777619) >>> 0;
    return h;
  });
}

async function main() {
  const out = {
    console_errors: [], page_errors: [], external_requests: [], ready: null, cells: [], model_cells: [],
    run_cells: [], notes: [], panels: 0, zoom: null, pan: null, slider: null, sort: null, tab_order: [], missing_alt: [],
    unlabelled_canvases: [], charts: [], title: null
  };
  let browser;
  try {
    browser = await puppeteer.launch({
      executablePath: browserPath,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run',
             '--disable-background-networking', '--disable-extensions']
    });
  } catch (e) {
    process.stderr.write('report_check: cannot start ' + browserPath + ': ' + e.message + '\n');
    process.exit(3);
  }
  try {
    const page = await browser.newPage();
    await page.setViewport({width: 1280, height: 900});
    page.on('console', (m) => { if (m.type() === 'error') out.console_errors.push(m.text()); });
    page.on('pageerror', (e) => out.page_errors.push(String(e && e.message || e)));
    page.on('request', (r) => {
      const u = r.url();
      if (!u.startsWith('file:') && !u.startsWith('data:')) out.external_requests.push(u);
    });
    const url = 'file://' + path.resolve(report);
    await page.goto(url, {waitUntil: 'load', timeout: 30000});
    out.title = await page.title();
    try {
      await page.waitForFunction(() => document.documentElement.getAttribute('data-ready') !== null,
                                 {timeout: 20000});
    } catch (e) { /* reported as ready: null */ }
    out.ready = await page.evaluate(() => document.documentElement.getAttribute('data-ready'));

    // Every number shown in score tables and the models table.
    out.cells = await page.evaluate(() => {
      const cells = [];
      document.querySelectorAll('table.scores').forEach((t) => {
        const cols = Array.prototype.map.call(t.querySelectorAll('thead th'), (th) => th.textContent.trim());
        t.querySelectorAll('tr[data-row]').forEach((tr) => {
          tr.querySelectorAll('td[data-col]').forEach((td) => {
            cells.push({table: t.id, set: t.getAttribute('data-set'), metric: t.getAttribute('data-metric'),
                        kind: t.getAttribute('data-kind'), section: tr.parentNode.tagName.toLowerCase(),
                        row: tr.getAttribute('data-row'), col: Number(td.getAttribute('data-col')),
                        column: cols[Number(td.getAttribute('data-col')) + 1],
                        value: td.getAttribute('data-value'), text: td.childNodes[0] ? td.childNodes[0].textContent : '',
                        win: td.classList.contains('win')});
          });
        });
      });
      return cells;
    });
    out.model_cells = await page.evaluate(() => {
      const cells = [];
      document.querySelectorAll('table.models tr[data-model]').forEach((tr) => {
        const row = {model: Number(tr.getAttribute('data-model')), name: tr.querySelector('th').textContent.trim()};
        tr.querySelectorAll('td[data-field]').forEach((td) => {
          row[td.getAttribute('data-field')] = td.getAttribute('data-value') !== null ? td.getAttribute('data-value')
                                                                                     : td.textContent.trim();
        });
        cells.push(row);
      });
      return cells;
    });
    out.run_cells = await page.evaluate(() => {
      const rows = [];
      document.querySelectorAll('table.runs tr[data-run]').forEach((tr) => {
        const row = {run: Number(tr.getAttribute('data-run')), name: tr.querySelector('th').textContent.trim()};
        tr.querySelectorAll('td[data-field]').forEach((td) => {
          row[td.getAttribute('data-field')] = td.getAttribute('data-value');
          row[td.getAttribute('data-field') + '_text'] = td.childNodes[0] ? td.childNodes[0].textContent : '';
          if (td.classList.contains('win')) row[td.getAttribute('data-field') + '_win'] = true;
        });
        rows.push(row);
      });
      return rows;
    });
    out.notes = await page.evaluate(() => Array.prototype.map.call(document.querySelectorAll('.note'),
                                                                     (n) => n.textContent.trim()));
    out.command = await page.evaluate(() => {
      const c = document.getElementById('command');
      return c ? c.textContent : null;
    });
    out.charts = await page.evaluate(() => Array.prototype.map.call(document.querySelectorAll('figure.chart'), (f) => {
      const img = f.querySelector('[role=img]');
      return {id: f.id, label: img ? img.getAttribute('aria-label') : null, svg: !!f.querySelector('svg')};
    }));
    out.missing_alt = await page.evaluate(() => Array.prototype.filter.call(document.querySelectorAll('img'),
        (i) => !(i.getAttribute('alt') || '').trim()).map((i) => i.outerHTML.slice(0, 80)));
    out.unlabelled_canvases = await page.evaluate(() => Array.prototype.filter.call(document.querySelectorAll('canvas'),
        (c) => c.getAttribute('role') !== 'img' || !(c.getAttribute('aria-label') || '').trim()).length);
    out.panels = await page.evaluate(() => document.querySelectorAll('article.panel').length);

    if (out.panels > 0 && out.ready === '1') {
      const panel = 'article.panel[data-panel="0"]';
      const state = () => page.evaluate((sel) => {
        const el = document.querySelector(sel), v = el.querySelector('.viewer'), c = el.querySelector('.compare-canvas');
        return {zoom: Number(v.getAttribute('data-zoom')), cx: Number(v.getAttribute('data-cx')),
                cy: Number(v.getAttribute('data-cy')), view: Number(v.getAttribute('data-view')),
                split: c ? Number(c.getAttribute('data-split')) : null,
                slider: el.querySelector('input.split') ? Number(el.querySelector('input.split').value) : null,
                draws: Number(el.getAttribute('data-draws')),
                zoom_text: el.querySelector('.zoom-level').textContent};
      }, panel);
      await page.evaluate((sel) => document.querySelector(sel).scrollIntoView(), panel);
      const paneBox = await (await page.$(panel + ' canvas.pane-canvas[data-layer="1"]')).boundingBox();
      const before = {state: await state(), sums: await page.evaluate(canvasSums)};
      // Wheel zoom over a pane.
      await page.mouse.move(paneBox.x + paneBox.width * 0.3, paneBox.y + paneBox.height * 0.3);
      await page.mouse.wheel({deltaY: -240});
      const afterWheel = {state: await state(), sums: await page.evaluate(canvasSums)};
      // Keyboard zoom on the focused viewer, then a zoom button.
      await page.focus(panel + ' .viewer');
      await page.keyboard.press('+');
      const afterKey = await state();
      await page.click(panel + ' button[data-zoom="in"]');
      const afterButton = await state();
      out.zoom = {before: before.state, wheel: afterWheel.state, key: afterKey, button: afterButton,
                  sums_before: before.sums, sums_wheel: afterWheel.sums};
      // Drag to pan, then arrow keys.
      const beforeDrag = {state: await state(), sums: await page.evaluate(canvasSums)};
      await page.mouse.move(paneBox.x + paneBox.width / 2, paneBox.y + paneBox.height / 2);
      await page.mouse.down();
      await page.mouse.move(paneBox.x + paneBox.width / 2 + 40, paneBox.y + paneBox.height / 2 + 25, {steps: 4});
      await page.mouse.up();
      const afterDrag = {state: await state(), sums: await page.evaluate(canvasSums)};
      await page.focus(panel + ' .viewer');
      await page.keyboard.press('ArrowRight');
      const afterArrow = await state();
      await page.keyboard.press('0');
      const afterReset = await state();
      out.pan = {before: beforeDrag.state, drag: afterDrag.state, arrow: afterArrow, reset: afterReset,
                 sums_before: beforeDrag.sums, sums_drag: afterDrag.sums};
      // The before/after divider: arrow keys on the slider, then a click on the canvas.
      if (await page.$(panel + ' input.split')) {
        const compareIndex = await page.evaluate((sel) => Array.prototype.indexOf.call(
            document.querySelector(sel).querySelectorAll('canvas'), document.querySelector(sel + ' .compare-canvas')), panel);
        const s0 = {state: await state(), sums: await page.evaluate(canvasSums)};
        await page.focus(panel + ' input.split');
        for (let i = 0; i < 10; ++i) await page.keyboard.press('ArrowLeft');
        const s1 = {state: await state(), sums: await page.evaluate(canvasSums)};
        const box = await (await page.$(panel + ' .compare-canvas')).boundingBox();
        await page.mouse.click(box.x + box.width * 0.8, box.y + box.height / 2);
        const s2 = {state: await state(), sums: await page.evaluate(canvasSums)};
        out.slider = {before: s0.state, keys: s1.state, click: s2.state, compare_canvas: compareIndex,
                      sum_before: s0.sums[compareIndex], sum_keys: s1.sums[compareIndex], sum_click: s2.sums[compareIndex]};
      }
      // Region buttons switch the view.
      const regions = await page.$$(panel + ' button.region');
      if (regions.length > 1) {
        await regions[1].click();
        out.region = await state();
      }
    }

    // Sorting: the first score table that is visible, by its first method column, twice.
    const sortTable = await page.evaluate(() => {
      const t = Array.prototype.find.call(document.querySelectorAll('table.scores[data-kind="images"], table.scores'),
                                          (x) => x.offsetParent !== null && x.tBodies[0].rows.length > 1);
      return t ? t.id : null;
    });
    if (sortTable) {
      const order = () => page.evaluate((id) => {
        const t = document.getElementById(id);
        return {rows: Array.prototype.map.call(t.tBodies[0].rows, (r) => ({row: r.getAttribute('data-row'),
                   value: r.querySelector('td[data-col="0"]').getAttribute('data-value')})),
                sorted: t.getAttribute('data-sorted-dir'),
                aria: t.querySelectorAll('thead th')[1].getAttribute('aria-sort')};
      }, sortTable);
      const first = await order();
      await page.click('#' + sortTable + ' thead th:nth-child(2) button');
      const once = await order();
      await page.click('#' + sortTable + ' thead th:nth-child(2) button');
      const twice = await order();
      out.sort = {table: sortTable, before: first, first_click: once, second_click: twice};
    }

    // Focus order: Tab from the top of the page.
    await page.evaluate(() => { window.scrollTo(0, 0); if (document.activeElement) document.activeElement.blur(); });
    await page.mouse.click(1, 1);
    for (let i = 0; i < maxTabs; ++i) {
      await page.keyboard.press('Tab');
      const f = await page.evaluate(() => {
        const e = document.activeElement;
        if (!e || e === document.body) return null;
        const labelled = e.getAttribute('aria-labelledby');
        let name = e.getAttribute('aria-label') || (labelled && document.getElementById(labelled) ?
            document.getElementById(labelled).textContent : '') || '';
        if (!name && e.labels && e.labels.length) name = e.labels[0].textContent;
        if (!name) name = e.textContent || e.getAttribute('title') || '';
        return {tag: e.tagName.toLowerCase(), role: e.getAttribute('role'), cls: e.className || '',
                name: name.trim().replace(/\s+/g, ' ').slice(0, 120)};
      });
      if (!f) break;
      out.tab_order.push(f);
    }

    if (screenshot) {
      const height = await page.evaluate(() => document.documentElement.scrollHeight);
      await page.evaluate(() => window.scrollTo(0, 0));
      await page.screenshot({path: screenshot, fullPage: height <= 8000,
                             clip: height <= 8000 ? undefined : {x: 0, y: 0, width: 1280, height: 8000}});
      out.screenshot = screenshot;
    }
  } finally {
    await browser.close();
  }
  process.stdout.write(JSON.stringify(out) + '\n');
}

main().catch((e) => {
  process.stderr.write('report_check: ' + (e && e.stack || e) + '\n');
  process.exit(1);
});
