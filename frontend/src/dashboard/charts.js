// Line charts with uPlot: axis labels and values formatted for the UI language; each chart has
// a table of the same numbers for screen readers and copying.
import uPlot from 'uplot';
import { h } from '../lib/dom.js';
import { fmtDate, fmtNumber, t } from '../lib/i18n.js';

const COLORS = ['#0b6bcb', '#1f9d55', '#d97706', '#9333ea', '#dc2626', '#0891b2', '#6b7280'];

/**
 * A chart card. `series`: [{label, values: [number|null]}]; `x`: bucket starts (Date);
 * `format(value)`: how values read on the axis, in the legend and in the table.
 */
export function lineChart({ title, x, series, format = fmtNumber, axisFormat = format, hourly = false, testid }) {
  const plotHost = h('div', { class: 'chart', role: 'img', aria: { label: title } });
  const table = dataTable(title, x, series, format, hourly);
  const card = h('figure', { class: 'card chart-card', dataset: { testid } }, h('figcaption', null, h('h2', null, title)), plotHost, h('details', null, h('summary', null, t('chart.table')), table));
  const xLabel = (d) => (hourly ? fmtDate(d, { hour: '2-digit', minute: '2-digit', day: 'numeric', month: 'numeric' }) : fmtDate(d, { month: 'short', day: 'numeric' }));
  const options = {
    width: 600,
    height: 220,
    legend: { show: true },
    cursor: { points: { size: 6 } },
    scales: { x: { time: true } },
    axes: [
      { values: (u, splits) => splits.map((s) => xLabel(new Date(s * 1000))), stroke: 'currentColor', grid: { stroke: 'rgba(128,128,128,.15)' } },
      { values: (u, splits) => splits.map((s) => axisFormat(s)), stroke: 'currentColor', size: 70, grid: { stroke: 'rgba(128,128,128,.15)' } },
    ],
    series: [
      { label: t('chart.time'), value: (u, v) => (v === null || v === undefined ? '–' : xLabel(new Date(v * 1000))) },
      ...series.map((s, i) => ({
        label: s.label,
        stroke: COLORS[i % COLORS.length],
        width: 2,
        spanGaps: false,
        points: { show: true, size: 4 },
        value: (u, v) => (v === null || v === undefined ? '–' : format(v)),
      })),
    ],
  };
  const data = [x.map((d) => d.getTime() / 1000), ...series.map((s) => s.values)];
  // uPlot measures its container, so it is created once the card is in the page.
  requestAnimationFrame(() => {
    const plot = new uPlot({ ...options, width: Math.max(280, plotHost.clientWidth || 600) }, data, plotHost);
    const resize = new ResizeObserver(() => plot.setSize({ width: Math.max(280, plotHost.clientWidth), height: 220 }));
    resize.observe(plotHost);
    card.destroyChart = () => { resize.disconnect(); plot.destroy(); };
  });
  return card;
}

function dataTable(title, x, series, format, hourly) {
  return h(
    'table',
    { class: 'chart-table' },
    h('caption', { class: 'sr-only' }, title),
    h('thead', null, h('tr', null, h('th', { scope: 'col' }, ''), series.map((s) => h('th', { scope: 'col' }, s.label)))),
    h('tbody', null, x.map((d, i) => h('tr', null, h('th', { scope: 'row' }, hourly ? fmtDate(d, { dateStyle: 'short', timeStyle: 'short' }) : fmtDate(d)), series.map((s) => h('td', { class: 'num' }, s.values[i] === null || s.values[i] === undefined ? '–' : format(s.values[i])))))),
  );
}
