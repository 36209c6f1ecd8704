// Charts over time from GET /analytics/summary: volume by channel, time to first offer and to
// answer, CSAT, resolution rate and spend; plus issue 5's spend report when it exists.
import { h, replace } from '../lib/dom.js';
import { get, isMissingEndpoint, query } from '../lib/api.js';
import { toMajor } from '../lib/currencies.js';
import { fmtDuration, fmtMoney, fmtNumber, fmtPercent, t } from '../lib/i18n.js';
import { errorText, notAvailable, notice, section } from '../lib/ui.js';
import { lineChart } from './charts.js';

const RANGES = { '24h': ['hour', 1], '7d': ['day', 7], '30d': ['day', 30], '90d': ['day', 90] };

export function analyticsScreen() {
  let range = '30d';
  const charts = h('div', { class: 'charts' });
  const totals = h('div', { class: 'tiles' });
  const spendReport = h('div');
  const picker = h(
    'div',
    { class: 'segmented-inline', role: 'group', aria: { label: t('an.range') } },
    Object.keys(RANGES).map((key) => h('button', { type: 'button', class: 'secondary', aria: { pressed: key === range }, dataset: { range: key }, on: { click: () => { range = key; for (const b of picker.querySelectorAll('button')) b.setAttribute('aria-pressed', String(b.dataset.range === key)); load(); } } }, t(`an.range.${key}`))),
  );
  const el = h('div', { class: 'screen' }, h('div', { class: 'row-between' }, h('h1', null, t('an.title')), picker), totals, charts, section(t('an.spendReport'), spendReport));

  async function load() {
    const [bucket, days] = RANGES[range];
    const to = new Date();
    const from = new Date(to.getTime() - days * 86400000);
    replace(charts, notice(t('common.loading')));
    try {
      const summary = await get(`/analytics/summary${query({ from: from.toISOString(), to: to.toISOString(), bucket, utc_offset: -to.getTimezoneOffset() })}`);
      render(summary);
    } catch (error) {
      replace(charts, notice(errorText(error), 'error'));
    }
  }

  function render(s) {
    for (const old of charts.querySelectorAll('.chart-card')) old.destroyChart?.();
    const x = s.buckets.map((b) => new Date(b.start));
    const hourly = s.bucket === 'hour';
    const col = (name) => s.buckets.map((b) => b[name]);
    const currencies = [...new Set(s.buckets.flatMap((b) => Object.keys(b.spend)))];
    const tot = s.totals;
    replace(
      totals,
      tile(t('an.posted'), fmtNumber(tot.posted_total)),
      tile(t('an.answered'), fmtNumber(tot.answered)),
      tile(t('an.returnedExpired'), fmtNumber(tot.returned + tot.expired)),
      tile(t('an.firstOffer'), fmtDuration(tot.median_first_offer_seconds)),
      tile(t('an.toAnswer'), fmtDuration(tot.median_answer_seconds)),
      tile(t('an.csat'), tot.csat === null ? '–' : fmtNumber(tot.csat, { maximumFractionDigits: 2 })),
      tile(t('an.resolution'), tot.resolution_rate === null ? '–' : fmtPercent(tot.resolution_rate)),
      tile(t('an.spend'), Object.keys(tot.spend).length ? Object.entries(tot.spend).map(([c, a]) => fmtMoney(a, c)).join(' · ') : fmtNumber(0)),
    );
    const minutes = (v) => (v === null ? null : v / 60);
    replace(
      charts,
      lineChart({ title: t('an.volume'), x, hourly, testid: 'chart-volume', series: s.channels.map((c) => ({ label: t(`channel.${c}`), values: s.buckets.map((b) => b.posted[c]) })).filter((ser) => ser.values.some((v) => v)).concat([{ label: t('an.answered'), values: col('answered') }]) }),
      lineChart({ title: t('an.times'), x, hourly, testid: 'chart-times', format: (v) => fmtDuration(v * 60), axisFormat: (v) => fmtNumber(v, { style: 'unit', unit: 'minute', unitDisplay: 'short', maximumFractionDigits: 1 }), series: [{ label: t('an.firstOffer'), values: col('median_first_offer_seconds').map(minutes) }, { label: t('an.toAnswer'), values: col('median_answer_seconds').map(minutes) }] }),
      lineChart({ title: t('an.csat'), x, hourly, testid: 'chart-csat', format: (v) => fmtNumber(v, { maximumFractionDigits: 1 }), series: [{ label: t('an.csat'), values: col('csat') }] }),
      lineChart({ title: t('an.resolution'), x, hourly, testid: 'chart-resolution', format: (v) => fmtPercent(v), series: [{ label: t('an.resolution'), values: col('resolution_rate') }] }),
      lineChart({ title: t('an.spend'), x, hourly, testid: 'chart-spend', format: (v) => fmtNumber(v, { maximumFractionDigits: 2 }), series: (currencies.length ? currencies : [null]).map((c) => ({ label: c || t('an.spend'), values: s.buckets.map((b) => (c in b.spend ? toMajor(b.spend[c], c) : 0)) })) }),
      h('p', { class: 'muted small' }, t('an.note')),
    );
  }

  async function loadSpendReport() {
    try {
      const report = await get('/account/spend');
      const items = Array.isArray(report) ? report : report.items || report.rows || [];
      if (!items.length) {
        replace(spendReport, notice(t('an.noSpend')));
        return;
      }
      const keys = Object.keys(items[0]);
      replace(spendReport, h('div', { class: 'table-wrap' }, h('table', null, h('thead', null, h('tr', null, keys.map((k) => h('th', { scope: 'col' }, k)))), h('tbody', null, items.map((row) => h('tr', null, keys.map((k) => h('td', null, typeof row[k] === 'object' ? JSON.stringify(row[k]) : String(row[k] ?? '')))))))));
    } catch (error) {
      replace(spendReport, isMissingEndpoint(error) ? notAvailable(t('an.spendSoon')) : notice(errorText(error), 'error'));
    }
  }

  load();
  loadSpendReport();
  return { el, destroy: () => { for (const c of charts.querySelectorAll('.chart-card')) c.destroyChart?.(); } };
}

function tile(label, value) {
  return h('div', { class: 'tile' }, h('span', { class: 'tile-label' }, label), h('strong', { class: 'tile-value' }, value));
}
