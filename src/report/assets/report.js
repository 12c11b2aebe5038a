// LiteSR report behaviour (report/html_page.h embeds this file in every report). No network, no libraries.
//   - tabs:      [role=tablist] buttons switch [role=tabpanel]s (arrow keys move between tabs, WAI-ARIA tabs).
//   - sorting:   table.sortable th > button sorts the tbody by that column (numbers by data-value).
//   - panels:    article.panel[data-panel=i] gets data.panels[i]: every layer's view drawn into its canvas with
//                one shared zoom/pan (wheel, drag, + - 0 and arrow keys, buttons), region buttons switch the view,
//                and a before/after canvas splits two chosen layers at a slider's position.
// State is mirrored into data-* attributes (data-zoom, data-cx, data-cy, data-view, data-split, data-a, data-b)
// so tests can check that scripted input changed it; <html data-ready="1"> once every panel has drawn.
(function () {
  'use strict';

  var dataNode = document.getElementById('litesr-data');
  var data = dataNode ? JSON.parse(dataNode.textContent) : {};

  // ---- tabs ----------------------------------------------------------------------------------------------
  function initTabs(list) {
    var tabs = Array.prototype.slice.call(list.querySelectorAll('[role=tab]'));
    function select(tab, focus) {
      tabs.forEach(function (t) {
        var on = t === tab;
        t.setAttribute('aria-selected', on ? 'true' : 'false');
        t.tabIndex = on ? 0 : -1;
        var panel = document.getElementById(t.getAttribute('aria-controls'));
        if (panel) panel.hidden = !on;
      });
      if (focus) tab.focus();
    }
    tabs.forEach(function (tab, i) {
      tab.addEventListener('click', function () { select(tab, false); });
      tab.addEventListener('keydown', function (e) {
        var j = -1;
        if (e.key === 'ArrowRight') j = (i + 1) % tabs.length;
        else if (e.key === 'ArrowLeft') j = (i - 1 + tabs.length) % tabs.length;
        else if (e.key === 'Home') j = 0;
        else if (e.key === 'End') j = tabs.length - 1;
        if (j >= 0) { e.preventDefault(); select(tabs[j], true); }
      });
    });
  }

  // ---- sortable tables -----------------------------------------------------------------------------------
  function cellKey(row, col) {
    var cell = row.children[col];
    if (!cell) return '';
    var v = cell.getAttribute('data-value');
    if (v !== null) return parseFloat(v);
    return (cell.getAttribute('data-sort') || cell.textContent).trim();
  }

  function initSortable(table) {
    var heads = Array.prototype.slice.call(table.querySelectorAll('thead th'));
    heads.forEach(function (th, col) {
      var button = th.querySelector('button');
      if (!button) return;
      button.addEventListener('click', function () {
        var numeric = th.getAttribute('data-type') === 'number';
        // First click: best first for numbers (higher is better unless data-better="lower"), A-Z for text.
        var current = th.getAttribute('aria-sort');
        var lowerBetter = th.getAttribute('data-better') === 'lower';
        var firstDir = numeric && !lowerBetter ? 'descending' : 'ascending';
        var dir = current === firstDir ? (firstDir === 'ascending' ? 'descending' : 'ascending') : firstDir;
        heads.forEach(function (h) { h.removeAttribute('aria-sort'); });
        th.setAttribute('aria-sort', dir);
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = cellKey(a, col), y = cellKey(b, col), r;
          if (numeric) {
            if (isNaN(x)) return 1;
            if (isNaN(y)) return -1;
            r = x === y ? 0 : (x < y ? -1 : 1);
          } else {
            r = String(x).localeCompare(String(y), undefined, {numeric: true});
          }
          return dir === 'ascending' ? r : -r;
        });
        rows.forEach(function (r) { body.appendChild(r); });
        table.setAttribute('data-sorted-col', String(col));
        table.setAttribute('data-sorted-dir', dir);
        var status = table.parentNode.querySelector('.sort-status');
        if (status) status.textContent = 'Sorted by ' + button.textContent.trim() + ', ' + dir + '.';
      });
    });
  }

  // ---- image panels --------------------------------------------------------------------------------------
  var kMaxZoom = 32;

  function loadImage(src) {
    return new Promise(function (resolve, reject) {
      var img = new Image();
      img.onload = function () { resolve(img); };
      img.onerror = function () { reject(new Error('cannot decode an embedded image')); };
      img.src = src;
    });
  }

  function formatZoom(z) { return (z < 10 ? z.toFixed(1) : z.toFixed(0)) + '\u00d7'; }

  function initPanel(el, p) {
    var viewer = el.querySelector('.viewer');
    var panes = Array.prototype.slice.call(el.querySelectorAll('canvas.pane-canvas'));
    var compare = el.querySelector('canvas.compare-canvas');
    var slider = el.querySelector('input.split');
    var selectA = el.querySelector('select.compare-a');
    var selectB = el.querySelector('select.compare-b');
    var zoomText = el.querySelector('.zoom-level');
    var regionButtons = Array.prototype.slice.call(el.querySelectorAll('button.region'));
    var boxes = Array.prototype.slice.call(el.querySelectorAll('.overview .box'));
    var state = {
      view: 0, zoom: 1, cx: 0, cy: 0,
      split: slider ? Number(slider.value) / 100 : 0.5,
      a: selectA ? Number(selectA.value) : 0,
      b: selectB ? Number(selectB.value) : 0,
      draws: 0
    };
    var images = [];

    function view() { return p.views[state.view]; }
    function visible() { var v = view(); return {w: v.w / state.zoom, h: v.h / state.zoom}; }
    function clampCenter() {
      var v = view(), s = visible();
      state.cx = Math.min(Math.max(state.cx, v.x + s.w / 2), v.x + v.w - s.w / 2);
      state.cy = Math.min(Math.max(state.cy, v.y + s.h / 2), v.y + v.h - s.h / 2);
    }
    function resetView() {
      var v = view();
      state.zoom = 1;
      state.cx = v.x + v.w / 2;
      state.cy = v.y + v.h / 2;
    }
    // The destination rectangle of the view inside a canvas (aspect kept, centred).
    function dest(canvas) {
      var v = view(), k = Math.min(canvas.width / v.w, canvas.height / v.h);
      var w = v.w * k, h = v.h * k;
      return {x: (canvas.width - w) / 2, y: (canvas.height - h) / 2, w: w, h: h};
    }
    function drawLayer(ctx, layerIndex, d) {
      var layer = p.layers[layerIndex], cell = layer.cells[state.view], v = view(), s = visible();
      var f = cell[2] / v.w;  // layer pixels per output pixel
      var sx = cell[0] + (state.cx - s.w / 2 - v.x) * f, sy = cell[1] + (state.cy - s.h / 2 - v.y) * f;
      ctx.drawImage(images[layerIndex], sx, sy, s.w * f, s.h * f, d.x, d.y, d.w, d.h);
    }
    function prepare(canvas) {
      var ctx = canvas.getContext('2d');
      ctx.imageSmoothingEnabled = false;
      ctx.fillStyle = '#777';
      ctx.fillRect(0, 0, canvas.width, canvas.height);
      return ctx;
    }
    function viewName() { return p.views[state.view].label; }
    function draw() {
      clampCenter();
      panes.forEach(function (canvas) {
        var j = Number(canvas.getAttribute('data-layer'));
        var ctx = prepare(canvas);
        drawLayer(ctx, j, dest(canvas));
        canvas.setAttribute('aria-label', p.layers[j].label + ', ' + viewName() + ' of ' + p.name + ', zoom ' +
                            formatZoom(state.zoom));
      });
      if (compare) {
        var ctx = prepare(compare), d = dest(compare), splitX = d.x + d.w * state.split;
        drawLayer(ctx, state.a, d);
        ctx.save();
        ctx.beginPath();
        ctx.rect(splitX, 0, compare.width - splitX, compare.height);
        ctx.clip();
        drawLayer(ctx, state.b, d);
        ctx.restore();
        ctx.fillStyle = '#000';
        ctx.fillRect(Math.round(splitX) - 2, d.y, 4, d.h);
        ctx.fillStyle = '#fff';
        ctx.fillRect(Math.round(splitX) - 1, d.y, 2, d.h);
        var pct = Math.round(state.split * 100);
        compare.setAttribute('aria-label', 'Before/after of ' + p.name + ', ' + viewName() + ': ' +
                             p.layers[state.a].label + ' left, ' + p.layers[state.b].label + ' right, divider at ' +
                             pct + '%');
        compare.setAttribute('data-split', state.split.toFixed(3));
        compare.setAttribute('data-a', String(state.a));
        compare.setAttribute('data-b', String(state.b));
        if (slider && Number(slider.value) !== pct) slider.value = String(pct);
        if (slider) slider.setAttribute('aria-valuetext', pct + '% ' + p.layers[state.a].label + ', ' +
                                        (100 - pct) + '% ' + p.layers[state.b].label);
      }
      state.draws += 1;
      viewer.setAttribute('data-zoom', state.zoom.toFixed(4));
      viewer.setAttribute('data-cx', state.cx.toFixed(3));
      viewer.setAttribute('data-cy', state.cy.toFixed(3));
      viewer.setAttribute('data-view', String(state.view));
      el.setAttribute('data-draws', String(state.draws));
      if (zoomText) zoomText.textContent = formatZoom(state.zoom);
      Array.prototype.forEach.call(el.querySelectorAll('.view-psnr'), function (span) {
        var j = Number(span.getAttribute('data-layer')), v = p.layers[j].psnr[state.view];
        if (typeof v === 'string') v = Number(v);  // "Infinity": the view equals the HR's
        span.textContent = v === null || v === undefined ? '' : viewName() + ': ' +
            (isFinite(v) ? v.toFixed(2) + ' dB' : '\u221e dB');
      });
    }

    // Zoom by `factor` keeping output point (px, py) under the same canvas position.
    function zoomBy(factor, px, py) {
      var z = Math.min(Math.max(state.zoom * factor, 1), kMaxZoom);
      if (px === undefined) { px = state.cx; py = state.cy; }
      var k = state.zoom / z;
      state.cx = px + (state.cx - px) * k;
      state.cy = py + (state.cy - py) * k;
      state.zoom = z;
      draw();
    }
    function panBy(dx, dy) { state.cx += dx; state.cy += dy; draw(); }
    // Canvas client coordinates -> output pixel coordinates.
    function toOutput(canvas, clientX, clientY) {
      var r = canvas.getBoundingClientRect(), d = dest(canvas), s = visible();
      var cx = (clientX - r.left) * canvas.width / r.width, cy = (clientY - r.top) * canvas.height / r.height;
      return {x: state.cx - s.w / 2 + (cx - d.x) / d.w * s.w, y: state.cy - s.h / 2 + (cy - d.y) / d.h * s.h};
    }

    function bindCanvas(canvas, isCompare) {
      canvas.addEventListener('wheel', function (e) {
        e.preventDefault();
        var at = toOutput(canvas, e.clientX, e.clientY);
        zoomBy(e.deltaY < 0 ? 1.25 : 0.8, at.x, at.y);
      }, {passive: false});
      var drag = null;
      canvas.addEventListener('pointerdown', function (e) {
        if (isCompare && !e.shiftKey) {  // the before/after canvas: press or drag moves the divider
          drag = {split: true};
        } else {
          drag = {x: e.clientX, y: e.clientY};
        }
        if (canvas.setPointerCapture) canvas.setPointerCapture(e.pointerId);
        move(e);
      });
      function move(e) {
        if (!drag) return;
        if (drag.split) {
          var r = canvas.getBoundingClientRect(), d = dest(canvas);
          var x = (e.clientX - r.left) * canvas.width / r.width;
          state.split = Math.min(Math.max((x - d.x) / d.w, 0), 1);
          draw();
          return;
        }
        var rr = canvas.getBoundingClientRect(), dd = dest(canvas), s = visible();
        var perPixel = s.w / (dd.w * rr.width / canvas.width);
        var dx = e.clientX - drag.x, dy = e.clientY - drag.y;
        if (dx === 0 && dy === 0) return;
        drag.x = e.clientX;
        drag.y = e.clientY;
        panBy(-dx * perPixel, -dy * perPixel);
      }
      canvas.addEventListener('pointermove', move);
      function end() { drag = null; }
      canvas.addEventListener('pointerup', end);
      canvas.addEventListener('pointercancel', end);
    }

    function bind() {
      panes.forEach(function (c) { bindCanvas(c, false); });
      if (compare) bindCanvas(compare, true);
      viewer.addEventListener('keydown', function (e) {
        if (e.target !== viewer) return;
        var s = visible(), step = 0.1;
        var handled = true;
        if (e.key === '+' || e.key === '=') zoomBy(1.5);
        else if (e.key === '-' || e.key === '_') zoomBy(1 / 1.5);
        else if (e.key === '0') { resetView(); draw(); }
        else if (e.key === 'ArrowLeft') panBy(-s.w * step, 0);
        else if (e.key === 'ArrowRight') panBy(s.w * step, 0);
        else if (e.key === 'ArrowUp') panBy(0, -s.h * step);
        else if (e.key === 'ArrowDown') panBy(0, s.h * step);
        else handled = false;
        if (handled) e.preventDefault();
      });
      Array.prototype.forEach.call(el.querySelectorAll('button[data-zoom]'), function (b) {
        b.addEventListener('click', function () {
          var what = b.getAttribute('data-zoom');
          if (what === 'in') zoomBy(1.5);
          else if (what === 'out') zoomBy(1 / 1.5);
          else { resetView(); draw(); }
        });
      });
      function selectView(k) {
        state.view = k;
        regionButtons.forEach(function (b) {
          b.setAttribute('aria-pressed', Number(b.getAttribute('data-view')) === k ? 'true' : 'false');
        });
        boxes.forEach(function (b) {
          b.classList.toggle('selected', Number(b.getAttribute('data-view')) === k);
        });
        resetView();
        draw();
      }
      regionButtons.forEach(function (b) {
        b.addEventListener('click', function () { selectView(Number(b.getAttribute('data-view'))); });
      });
      if (slider) {
        slider.addEventListener('input', function () { state.split = Number(slider.value) / 100; draw(); });
      }
      if (selectA) selectA.addEventListener('change', function () { state.a = Number(selectA.value); draw(); });
      if (selectB) selectB.addEventListener('change', function () { state.b = Number(selectB.value); draw(); });
    }

    return Promise.all(p.layers.map(function (l) { return loadImage(l.src); })).then(function (loaded) {
      images = loaded;
      resetView();
      bind();
      draw();
    });
  }

  function init() {
    Array.prototype.forEach.call(document.querySelectorAll('[role=tablist]'), initTabs);
    Array.prototype.forEach.call(document.querySelectorAll('table.sortable'), initSortable);
    var jobs = [];
    Array.prototype.forEach.call(document.querySelectorAll('article.panel[data-panel]'), function (el) {
      var p = (data.panels || [])[Number(el.getAttribute('data-panel'))];
      if (p) jobs.push(initPanel(el, p));
    });
    Promise.all(jobs).then(function () {
      document.documentElement.setAttribute('data-ready', '1');
    }, function (err) {
      console.error('LiteSR report: ' + err.message);
      document.documentElement.setAttribute('data-ready', 'error');
    });
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
  else init();
})();
