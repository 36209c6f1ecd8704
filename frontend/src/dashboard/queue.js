// Live queue: counts by status, the oldest waiting question, SLAs at risk, and the event feed.
import { h, replace } from '../lib/dom.js';
import { get, query } from '../lib/api.js';
import { fmtDateTime, fmtDuration, fmtNumber, fmtRelative, fmtTime, t } from '../lib/i18n.js';
import { errorText, notice } from '../lib/ui.js';
import { throttled } from '../lib/throttle.js';
import { eventName, questionLink, statusChip } from './common.js';
import { live } from './live.js';

const STATUSES = ['queued', 'offered', 'assigned', 'answered', 'returned', 'expired', 'cancelled'];
const RISK_CHOICES = [15, 30, 60, 120, 240];
const REFRESH_MS = 30000;

export function queueScreen() {
  let riskMinutes = 60;
  const tiles = h('div', { class: 'tiles', aria: { live: 'polite' }, dataset: { testid: 'queue-tiles' } });
  const oldest = h('div', { class: 'card' });
  const risk = h('div', { class: 'card' });
  const feedList = h('ol', { class: 'feed', dataset: { testid: 'live-feed' } });
  const asOf = h('p', { class: 'muted small' });
  const riskSelect = h(
    'select',
    { name: 'at_risk_minutes', id: 'risk-minutes', on: { change: (e) => { riskMinutes = Number(e.target.value); load(); } } },
    RISK_CHOICES.map((m) => h('option', { value: String(m), selected: m === riskMinutes }, t('queue.withinMinutes', { n: m }))),
  );
  const el = h(
    'div',
    { class: 'screen' },
    h('h1', null, t('queue.title')),
    tiles,
    asOf,
    h('div', { class: 'grid-2' }, oldest, risk),
    h('section', { class: 'card' }, h('h2', null, t('queue.feed')), feedList),
  );

  async function load() {
    try {
      const q = await get(`/queue${query({ at_risk_minutes: riskMinutes })}`);
      render(q);
    } catch (error) {
      replace(tiles, notice(errorText(error), 'error'));
    }
  }

  function render(q) {
    replace(tiles, STATUSES.map((s) => h('div', { class: ['tile', `tile-${s}`], dataset: { status: s } }, h('span', { class: 'tile-label' }, t(`status.${s}`)), h('strong', { class: 'tile-value' }, fmtNumber(q.counts[s] ?? 0)))));
    asOf.textContent = t('queue.asOf', { time: fmtTime(q.as_of), open: fmtNumber(q.open) });
    const o = q.oldest_waiting;
    replace(
      oldest,
      h('h2', null, t('queue.oldest')),
      o
        ? [h('p', { class: 'big-number' }, fmtDuration(o.age_seconds)), h('p', null, questionLink(o.question.id, o.question.subject), ' ', statusChip(o.question.status)), h('p', { class: 'muted small' }, t('queue.postedAt', { time: fmtDateTime(o.question.created_at) }))]
        : notice(t('queue.nothingWaiting')),
    );
    replace(
      risk,
      h('div', { class: 'row-between' }, h('h2', null, t('queue.atRisk')), h('label', { class: 'inline', htmlFor: 'risk-minutes' }, h('span', { class: 'sr-only' }, t('queue.riskWindow')), riskSelect)),
      h('p', { class: ['big-number', q.at_risk ? 'bad' : 'good'], dataset: { testid: 'at-risk' } }, fmtNumber(q.at_risk)),
      q.at_risk_questions.length
        ? h('ul', { class: 'plain-list' }, q.at_risk_questions.map((item) => h('li', null, questionLink(item.id, item.subject), ' ', statusChip(item.status), h('span', { class: 'muted small block' }, t('queue.slaIn', { when: fmtRelative(item.sla_deadline) })))))
        : notice(t('queue.noneAtRisk')),
    );
  }

  function renderFeed() {
    replace(feedList, live.feed.length
      ? live.feed.map((e) => h('li', { dataset: { event: e.event } }, h('time', { class: 'muted small' }, fmtTime(e.created_at)), ' ', h('strong', null, eventName(e.event)), ' ', questionLink(e.data.question_id, e.data.external_id)))
      : h('li', { class: 'muted' }, t('queue.feedEmpty')));
  }

  const refresh = throttled(load, 800);
  const stop = live.onEvent(() => {
    renderFeed();
    refresh();
  });
  const timer = setInterval(load, REFRESH_MS);
  load();
  renderFeed();
  return { el, destroy: () => { stop(); clearInterval(timer); } };
}
