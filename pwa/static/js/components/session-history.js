/*
 * data-module="session-history": the guided sessions saved on this device (lib/history.js),
 * as a table (the accessible version), a small inline SVG chart of angle and minutes held,
 * a "Read the table aloud" control and "Forget". On the clinician summary (data-mode
 * "summary") only the table shows. Without JavaScript the page explains that the history
 * lives on the device.
 *
 * Reads: data-history (JSON: plans by id with title, angle and minutes; feelings; strings).
 */

import { chartGeometry, historyRows, spokenRow, withSessions } from '../lib/history-view.js';
import { forgetHistory, readHistory } from '../lib/history.js';
import { announce } from '../lib/dom.js';
import { fill } from '../lib/format.js';

const SVG = 'http://www.w3.org/2000/svg';

function el(name, attrs = {}, text = '') {
  const node = document.createElement(name);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (text) node.textContent = text;
  return node;
}

function svg(name, attrs = {}) {
  const node = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  return node;
}

export class SessionHistory {
  static moduleName = 'session-history';

  constructor(root) {
    this.root = root;
    this.data = JSON.parse(root.dataset.history);
    this.S = this.data.strings;
    this.summary = root.dataset.mode === 'summary';
    // Minutes as the page's language writes numbers (1.5 in English, 1,5 in Spanish).
    const numbers = new Intl.NumberFormat(this.data.lang || document.documentElement.lang);
    this.number = (n) => numbers.format(n);
    this.render();
    if (this.summary) this.completeDownload(document.querySelector('[data-summary-download]'));
  }

  /**
   * The summary's text download, made on this device: the server's text (answers and outcome,
   * from the cookie) with the sessions saved here added. Any failure falls back to the link.
   */
  completeDownload(link) {
    if (!link) return;
    link.addEventListener('click', async (event) => {
      event.preventDefault();
      try {
        const response = await fetch(link.href, { credentials: 'same-origin', cache: 'no-store' });
        if (!response.ok) throw new Error(`HTTP ${response.status}`);
        const text = withSessions(await response.text(), this.S.device_line, this.rows(), this.S, this.number);
        const name = /filename="([^"]+)"/.exec(response.headers.get('Content-Disposition') || '');
        const file = el('a', { href: URL.createObjectURL(new Blob([text], { type: 'text/plain' })) });
        file.download = name ? name[1] : 'inversion-guide-summary.txt';
        document.body.append(file);
        file.click();
        file.remove();
        setTimeout(() => URL.revokeObjectURL(file.href), 10_000);
      } catch {
        window.location.assign(link.href);
      }
    });
  }

  rows() {
    return historyRows(readHistory(), this.data.plans, this.data.feelings);
  }

  render() {
    const { root, S } = this;
    const rows = this.rows();
    root.replaceChildren();
    if (!rows.length) {
      root.append(el('p', { 'data-history-empty': '' }, this.summary ? S.none : S.empty));
      return;
    }
    if (!this.summary) {
      root.append(el('p', {}, fill(S.count, { count: rows.length })));
      root.append(this.chart(rows));
    }
    root.append(this.table(rows));
    if (!this.summary) root.append(this.tools(rows));
  }

  table(rows) {
    const { S } = this;
    const table = el('table', { class: 'ig-history__table', 'data-history-table': '' });
    table.append(el('caption', {}, S.caption));
    const head = el('tr');
    for (const h of [S.date, S.plan, S.angle_h, S.minutes_h, S.feeling_h]) {
      head.append(el('th', { scope: 'col' }, h));
    }
    const thead = el('thead');
    thead.append(head);
    table.append(thead);
    const body = el('tbody');
    // Newest first: the latest session is what a reader wants first.
    for (const row of [...rows].reverse()) {
      const tr = el('tr');
      // data-label: the column's name, shown before each value when rows stack (app.css).
      tr.append(el('th', { scope: 'row', 'data-label': S.date }, row.day));
      tr.append(el('td', { 'data-label': S.plan }, row.plan));
      tr.append(el('td', { 'data-label': S.angle_h }, fill(S.angle, { angle: row.angle })));
      tr.append(el('td', { 'data-label': S.minutes_h }, fill(S.minutes, { minutes: this.number(row.minutes) })));
      tr.append(el('td', { 'data-label': S.feeling_h }, row.feeling));
      body.append(tr);
    }
    table.append(body);
    return table;
  }

  /** The chart repeats the table, so it is one image to assistive technology. */
  chart(rows) {
    const { S } = this;
    const g = chartGeometry(rows);
    const figure = el('figure', { class: 'ig-history__figure' });
    const chart = svg('svg', {
      viewBox: `0 0 ${g.width} ${g.height}`,
      role: 'img',
      'aria-labelledby': 'history-chart-title history-chart-desc',
      class: 'ig-history__chart',
      'data-history-chart': '',
    });
    const title = svg('title', { id: 'history-chart-title' });
    title.textContent = S.chart_title;
    const desc = svg('desc', { id: 'history-chart-desc' });
    desc.textContent = S.chart_desc;
    chart.append(title, desc);
    const { inner } = g;
    chart.append(
      svg('line', { x1: inner.x, y1: inner.y + inner.h, x2: inner.x + inner.w, y2: inner.y + inner.h, class: 'ig-history__axis' }),
    );
    for (const b of g.bars) {
      chart.append(svg('rect', { x: b.x, y: b.y, width: b.w, height: b.h, class: 'ig-history__bar' }));
    }
    if (g.points.length) {
      chart.append(
        svg('polyline', { points: g.points.map((p) => `${p.x},${p.y}`).join(' '), class: 'ig-history__line' }),
      );
      for (const p of g.points) chart.append(svg('circle', { cx: p.x, cy: p.y, r: 4, class: 'ig-history__point' }));
    }
    const legend = el('figcaption', { class: 'ig-history__legend' });
    legend.append(el('span', { class: 'ig-history__key ig-history__key--line' }, S.chart_angle));
    legend.append(el('span', { class: 'ig-history__key ig-history__key--bar' }, S.chart_minutes));
    figure.append(chart, legend);
    return figure;
  }

  tools(rows) {
    const { S } = this;
    const group = el('div', { class: 'ig-button-group ig-history__tools' });
    const read = el('button', { type: 'button', class: 'ig-button ig-button--secondary', 'data-action': 'read-table' }, S.read);
    const forget = el('button', { type: 'button', class: 'ig-button ig-button--warning', 'data-action': 'forget' }, S.forget);
    read.addEventListener('click', () => this.readAloud(rows, read));
    forget.addEventListener('click', () => {
      if (!window.confirm(S.confirm)) return;
      forgetHistory();
      this.render();
      announce(S.forgotten);
      this.root.prepend(el('p', { class: 'ig-perspective__note' }, S.forgotten));
    });
    group.append(read, forget);
    return group;
  }

  /**
   * Reads the table with the device's own voice (speechSynthesis, local voices only, so
   * nothing leaves the device); dates and counts cannot be pre-recorded clips. Where there
   * is no local voice it reads nothing and says so on the page; the table stays for the
   * screen reader.
   */
  /** Shown under the tools and announced: nothing will be read, and why. */
  sayNoVoice(button) {
    if (!this.root.querySelector('[data-history-no-voice]')) {
      const note = el('p', { class: 'ig-hint', 'data-history-no-voice': '' }, this.S.no_voice);
      button.closest('.ig-history__tools').after(note);
    }
    announce(this.S.no_voice);
  }

  readAloud(rows, button) {
    const synth = window.speechSynthesis;
    if (!synth) {
      this.sayNoVoice(button);
      return;
    }
    if (synth.speaking) {
      synth.cancel();
      button.textContent = this.S.read;
      return;
    }
    const lang = this.data.lang;
    const voice = synth.getVoices().find((v) => v.localService && v.lang.startsWith(lang));
    // A remote voice would send the history off the device: without a local one, say nothing.
    if (!voice) {
      this.sayNoVoice(button);
      return;
    }
    const lines = [this.S.caption, ...[...rows].reverse().map((r) => spokenRow(r, this.S, this.number))];
    button.textContent = this.S.stop_reading;
    lines.forEach((text, i) => {
      const u = new SpeechSynthesisUtterance(text);
      u.lang = lang;
      u.voice = voice;
      if (i === lines.length - 1) u.onend = () => { button.textContent = this.S.read; };
      synth.speak(u);
    });
  }
}
