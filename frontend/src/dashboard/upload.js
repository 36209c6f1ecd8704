// Upload an overflow queue as CSV or JSON Lines: parsed in the browser, posted in batches to
// POST /questions/batch, with a progress bar and a per-row error report (downloadable).
import { h, replace } from '../lib/dom.js';
import { flattenErrors, get, post } from '../lib/api.js';
import { csvLine, parseCsv, parseJsonLines } from '../lib/csv.js';
import { parseMajor } from '../lib/currencies.js';
import { fmtNumber, t } from '../lib/i18n.js';
import { errorText, notice, section } from '../lib/ui.js';

// Batches stay well under the API's limits of 1,000 items and 4 MiB per request.
const BATCH_ITEMS = 200;
const BATCH_BYTES = 3 * 1024 * 1024;
const encoder = new TextEncoder();

/** Split rows into batches by count and by their size as JSON (CJK text is 3 bytes a char). */
export function batches(rows) {
  const out = [];
  let current = [];
  let bytes = 0;
  for (const row of rows) {
    const size = encoder.encode(JSON.stringify(row.item)).length + 1;
    if (current.length && (current.length >= BATCH_ITEMS || bytes + size > BATCH_BYTES)) {
      out.push(current);
      current = [];
      bytes = 0;
    }
    current.push(row);
    bytes += size;
  }
  if (current.length) out.push(current);
  return out;
}
const COLUMNS = ['external_id', 'channel', 'subject', 'body', 'language', 'reward_amount', 'reward', 'reward_currency', 'tags', 'priority', 'customer_ref', 'sla_deadline', 'pool', 'offer_mode'];
const EXAMPLE = [
  ['external_id', 'channel', 'subject', 'body', 'language', 'reward', 'reward_currency', 'tags', 'priority'],
  ['order-1042', 'wechat', '退货运费谁出？', '我想退货，运费由谁承担？', 'zh', '8.00', 'CNY', 'returns', '5'],
  ['ticket-77', 'email', 'Battery drains overnight', 'My phone loses 30% overnight.', 'en', '12.50', 'CNY', 'battery|setup', '7'],
];

/** A CSV record -> an API item (reward from minor units or a major-unit decimal). */
export function itemFromRecord(header, fields, defaultCurrency) {
  const raw = {};
  header.forEach((name, i) => {
    const value = (fields[i] ?? '').trim();
    if (value !== '') raw[name] = value;
  });
  const item = {};
  for (const [name, value] of Object.entries(raw)) {
    if (['reward_amount', 'reward', 'reward_currency'].includes(name)) continue;
    if (name === 'tags') item.tags = value.split(/[|;]/).map((tag) => tag.trim()).filter(Boolean);
    else if (name === 'priority') item.priority = /^-?\d+$/.test(value) ? Number(value) : value;
    else item[name] = value;
  }
  const currency = (raw.reward_currency || defaultCurrency || '').toUpperCase();
  if (raw.reward_amount !== undefined) {
    item.reward = { amount: /^\d+$/.test(raw.reward_amount) ? Number(raw.reward_amount) : raw.reward_amount, currency };
  } else if (raw.reward !== undefined) {
    try {
      item.reward = { amount: parseMajor(raw.reward, currency), currency };
    } catch (error) {
      return { error: { reward: [t('upload.badReward', { value: raw.reward, currency })] } };
    }
  }
  return { item };
}

/** Rows to send: [{line, item}] or [{line, error}] from the file's text. */
export function rowsFromFile(name, text, defaultCurrency) {
  if (/\.(jsonl|ndjson|json)$/i.test(name) || text.trimStart().startsWith('{')) {
    return parseJsonLines(text).map((r) => (r.error ? { line: r.line, error: { _line: [t('upload.badJson', { message: r.error })] } } : { line: r.line, item: r.value }));
  }
  const records = parseCsv(text);
  if (!records.length) return [];
  const header = records[0].fields.map((f) => f.trim().toLowerCase());
  const unknown = header.filter((name) => !COLUMNS.includes(name));
  if (unknown.length) throw new Error(t('upload.unknownColumns', { columns: unknown.join(', '), known: COLUMNS.join(', ') }));
  return records.slice(1).map(({ line, fields }) => {
    const { item, error } = itemFromRecord(header, fields, defaultCurrency);
    return error ? { line, error } : { line, item, externalId: item.external_id };
  });
}

export function uploadScreen({ refreshAccount }) {
  const input = h('input', { type: 'file', name: 'file', id: 'upload-file', accept: '.csv,.jsonl,.ndjson,text/csv,application/x-ndjson' });
  const start = h('button', { type: 'submit', class: 'primary' }, t('upload.start'));
  const stop = h('button', { type: 'button', class: 'secondary', hidden: true }, t('upload.stop'));
  const progress = h('progress', { max: 1, value: 0, hidden: true, aria: { label: t('upload.progress') }, dataset: { testid: 'upload-progress' } });
  const progressText = h('p', { class: 'muted', role: 'status', aria: { live: 'polite' } });
  const summary = h('div', { dataset: { testid: 'upload-summary' } });
  const report = h('div', { dataset: { testid: 'upload-report' } });
  let stopping = false;
  stop.addEventListener('click', () => {
    stopping = true;
  });

  const form = h(
    'form',
    { class: 'card', on: { submit: (e) => { e.preventDefault(); run(); } } },
    h('label', { class: 'field', htmlFor: 'upload-file' }, h('span', { class: 'field-label' }, t('upload.file')), input, h('span', { class: 'hint' }, t('upload.hint'))),
    h('div', { class: 'row' }, start, stop),
    progress,
    progressText,
  );
  const template = h('a', { href: csvBlobUrl(EXAMPLE.map(csvLine).join('\r\n')), download: 'questions-template.csv' }, t('upload.template'));
  const el = h(
    'div',
    { class: 'screen' },
    h('h1', null, t('upload.title')),
    h('p', null, t('upload.intro')),
    h('details', { class: 'card' }, h('summary', null, t('upload.columnsTitle')), h('p', { class: 'small' }, t('upload.columns')), h('p', { class: 'small' }, h('code', null, COLUMNS.join(', '))), h('p', null, template)),
    form,
    summary,
    report,
  );

  async function run() {
    const file = input.files?.[0];
    if (!file) {
      progressText.textContent = t('upload.chooseFile');
      return;
    }
    replace(summary);
    replace(report);
    let rows;
    try {
      const account = await get('/account');
      rows = rowsFromFile(file.name, await file.text(), account.currency);
    } catch (error) {
      replace(summary, notice(error.message || errorText(error), 'error'));
      return;
    }
    const failures = rows.filter((r) => r.error).map((r) => ({ line: r.line, externalId: null, status: 'local', errors: r.error }));
    const sendable = rows.filter((r) => r.item);
    const totals = { created: 0, existing: 0, failed: failures.length };
    start.disabled = true;
    stop.hidden = false;
    stopping = false;
    progress.hidden = false;
    progress.max = Math.max(1, rows.length);
    progress.value = failures.length;
    try {
      for (const chunk of batches(sendable)) {
        if (stopping) break;
        const result = await post('/questions/batch', { items: chunk.map((r) => r.item) });
        totals.created += result.created;
        totals.existing += result.existing;
        totals.failed += result.failed;
        for (const r of result.results) {
          if (r.status >= 400) failures.push({ line: chunk[r.index].line, externalId: r.external_id, status: r.status, errors: r.error?.errors || { _: [r.error?.detail || r.error?.title || String(r.status)] } });
        }
        progress.value = failures.length + totals.created + totals.existing;
        progressText.textContent = t('upload.progressText', { done: fmtNumber(progress.value), total: fmtNumber(rows.length) });
      }
    } catch (error) {
      replace(summary, notice(errorText(error), 'error'));
    } finally {
      start.disabled = false;
      stop.hidden = true;
    }
    if (!rows.length) progressText.textContent = t('upload.empty');
    else progressText.textContent = t(stopping ? 'upload.stopped' : 'upload.done', { done: fmtNumber(progress.value), total: fmtNumber(rows.length) });
    renderSummary(totals);
    renderReport(failures.sort((a, b) => a.line - b.line));
    refreshAccount();
  }

  function renderSummary(totals) {
    summary.append(h('div', { class: 'tiles' }, ['created', 'existing', 'failed'].map((k) => h('div', { class: ['tile', `tile-${k}`] }, h('span', { class: 'tile-label' }, t(`upload.${k}`)), h('strong', { class: 'tile-value', dataset: { testid: `upload-${k}` } }, fmtNumber(totals[k]))))));
  }

  function renderReport(failures) {
    if (!failures.length) return;
    const lines = [csvLine(['line', 'external_id', 'status', 'error'])];
    const rows = failures.map((f) => {
      const messages = Object.entries(flattenErrors(f.errors)).map(([name, msg]) => (name === '_' || name === '_line' ? msg : `${name}: ${msg}`));
      lines.push(csvLine([f.line, f.externalId, f.status, messages.join('; ')]));
      return h('tr', { dataset: { line: String(f.line) } }, h('td', { class: 'num' }, String(f.line)), h('td', null, f.externalId ? h('code', null, f.externalId) : '–'), h('td', null, f.status === 'local' ? t('upload.notSent') : String(f.status)), h('td', null, h('ul', { class: 'plain-list' }, messages.map((m) => h('li', null, m)))));
    });
    replace(
      report,
      section(
        t('upload.reportTitle', { n: fmtNumber(failures.length) }),
        h('p', null, h('a', { href: csvBlobUrl(lines.join('\r\n')), download: 'upload-errors.csv' }, t('upload.downloadReport'))),
        h('div', { class: 'table-wrap' }, h('table', { class: 'report' }, h('thead', null, h('tr', null, ['upload.line', 'q.externalId', 'upload.status', 'upload.errors'].map((k) => h('th', { scope: 'col' }, t(k))))), h('tbody', null, rows))),
      ),
    );
  }

  return { el };
}

function csvBlobUrl(text) {
  return URL.createObjectURL(new Blob(['\ufeff', text], { type: 'text/csv;charset=utf-8' }));
}
