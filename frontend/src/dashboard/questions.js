// Questions: a filtered list (cursor pages) and the detail with the answer, its score, the
// customer's feedback and the trail from the event log (status moves, escalation, moderation).
import { h, replace } from '../lib/dom.js';
import { get, post, query } from '../lib/api.js';
import { fmtDateTime, fmtMoney, fmtPercent, languageName, t, tOr } from '../lib/i18n.js';
import { busy, errorText, field, notice, showFieldErrors, toast } from '../lib/ui.js';
import { statusChip } from './common.js';
import { live } from './live.js';

const STATUSES = ['queued', 'offered', 'assigned', 'answered', 'returned', 'expired', 'cancelled'];
const CHANNELS = ['web', 'app', 'email', 'wechat', 'weibo', 'phone', 'other'];
const OPEN = new Set(['queued', 'offered', 'assigned']);

export function questionsScreen() {
  const filters = { status: '', channel: '', tag: '' };
  let cursor = null;
  const tbody = h('tbody');
  const more = h('button', { type: 'button', class: 'secondary', hidden: true, on: { click: () => load(true) } }, t('common.loadMore'));
  const message = h('div');
  const select = (name, values, label) => h(
    'select',
    { name, on: { change: (e) => { filters[name] = e.target.value; load(); } } },
    h('option', { value: '' }, t('q.all')),
    values.map((v) => h('option', { value: v }, label(v))),
  );
  const tag = h('input', { type: 'search', name: 'tag', placeholder: 'battery' });
  const form = h(
    'form',
    { class: 'filters', on: { submit: (e) => { e.preventDefault(); filters.tag = tag.value.trim(); load(); } } },
    field(t('q.status'), select('status', STATUSES, (s) => t(`status.${s}`))),
    field(t('q.channel'), select('channel', CHANNELS, (c) => t(`channel.${c}`))),
    field(t('q.tag'), tag),
    h('button', { type: 'submit', class: 'secondary' }, t('q.filter')),
  );
  const table = h(
    'table',
    { class: 'questions', dataset: { testid: 'questions-table' } },
    h('thead', null, h('tr', null, ['q.created', 'q.externalId', 'q.subject', 'q.channel', 'q.status', 'q.reward', 'q.score'].map((k) => h('th', { scope: 'col' }, t(k))))),
    tbody,
  );
  const el = h('div', { class: 'screen' }, h('h1', null, t('q.title')), form, message, h('div', { class: 'table-wrap' }, table), more);

  async function load(next = false) {
    try {
      const page = await get(`/questions${query({ ...filters, limit: 50, cursor: next ? cursor : null })}`);
      cursor = page.next_cursor;
      const rows = page.items.map(row);
      if (next) tbody.append(...rows);
      else replace(tbody, rows);
      replace(message, !next && !page.items.length ? notice(t('q.none')) : null);
      more.hidden = !cursor;
    } catch (error) {
      replace(message, notice(errorText(error), 'error'));
    }
  }

  const stop = live.onEvent(async (event, envelope) => {
    const existing = tbody.querySelector(`tr[data-id="${CSS.escape(envelope.data.question_id)}"]`);
    if (!existing) return;
    try {
      existing.replaceWith(row(await get(`/questions/${envelope.data.question_id}`)));
    } catch {
      // the next reload shows it
    }
  });
  load();
  return { el, destroy: stop };
}

function row(q) {
  return h(
    'tr',
    { dataset: { id: q.id, status: q.status } },
    h('td', { class: 'nowrap' }, fmtDateTime(q.created_at)),
    h('td', null, h('code', null, q.external_id)),
    h('td', { class: 'subject-cell' }, h('a', { href: `#questions/${q.id}` }, q.subject)),
    h('td', null, t(`channel.${q.channel}`)),
    h('td', null, statusChip(q.status)),
    h('td', { class: 'num' }, fmtMoney(q.reward.amount, q.reward.currency)),
    h('td', { class: 'num' }, typeof q.answer?.score === 'number' ? fmtPercent(q.answer.score) : '–'),
  );
}

export function questionDetailScreen({ id }) {
  const body = h('div', null, notice(t('common.loading')));
  const el = h('div', { class: 'screen' }, h('a', { href: '#questions', class: 'back' }, `← ${t('q.title')}`), body);

  async function load() {
    try {
      const [q, trail] = await Promise.all([get(`/questions/${id}`), get(`/questions/${id}/history`)]);
      replace(body, detail(q, trail, load));
    } catch (error) {
      replace(body, notice(errorText(error), 'error'));
    }
  }
  const stop = live.onEvent((event, envelope) => {
    if (envelope.data.question_id === id) load();
  });
  load();
  return { el, destroy: stop };
}

function detail(q, trail, reload) {
  const cancel = OPEN.has(q.status)
    ? h('button', {
      type: 'button',
      class: 'danger',
      on: {
        click: (e) => {
          if (!window.confirm(t('q.cancelConfirm'))) return;
          busy(e.currentTarget, async () => {
            try {
              await post(`/questions/${q.id}/cancel`);
              toast(t('q.cancelled'), 'good');
              reload();
            } catch (error) {
              toast(errorText(error), 'error');
            }
          });
        },
      },
    }, t('q.cancel'))
    : null;
  return [
    h('div', { class: 'row-between' }, h('h1', { class: 'text', dataset: { testid: 'question-subject' } }, q.subject), h('div', null, statusChip(q.status), ' ', cancel)),
    h(
      'dl',
      { class: 'facts card' },
      fact(t('q.externalId'), h('code', null, q.external_id)),
      fact(t('q.channel'), t(`channel.${q.channel}`)),
      fact(t('q.language'), languageName(q.language)),
      fact(t('q.tags'), q.tags.length ? q.tags.join(', ') : '–'),
      fact(t('q.priority'), String(q.priority)),
      fact(t('q.reward'), fmtMoney(q.reward.amount, q.reward.currency)),
      fact(t('q.sla'), fmtDateTime(q.sla_deadline)),
      fact(t('q.created'), fmtDateTime(q.created_at)),
      q.customer_ref ? fact(t('q.customer'), q.customer_ref) : null,
    ),
    h('section', { class: 'card' }, h('h2', null, t('q.body')), h('p', { class: 'text', dataset: { testid: 'question-body' } }, q.body)),
    h(
      'section',
      { class: 'card', dataset: { testid: 'answer' } },
      h('h2', null, t('q.answer')),
      q.answer
        ? [
          h('p', { class: 'text answer-text', dataset: { testid: 'answer-body' } }, q.answer.body),
          h('p', { class: 'muted small' }, t('q.answeredAt', { time: fmtDateTime(q.answer.submitted_at) }), ' · ', typeof q.answer.score === 'number' ? t('q.scoreValue', { score: fmtPercent(q.answer.score) }) : t('q.notScored')),
        ]
        : notice(t('q.noAnswer')),
    ),
    q.answer ? feedbackSection(q, reload) : null,
    h('section', { class: 'card' }, h('h2', null, t('q.trail')), trailList(trail)),
  ];
}

function fact(label, value) {
  return [h('dt', null, label), h('dd', null, value)];
}

function feedbackSection(q, reload) {
  if (q.feedback) {
    const f = q.feedback;
    return h('section', { class: 'card' }, h('h2', null, t('q.feedback')), h('p', null, '★'.repeat(f.rating) + '☆'.repeat(5 - f.rating), ' · ', f.resolved === null ? t('q.resolvedUnknown') : f.resolved ? t('q.resolvedYes') : t('q.resolvedNo')), f.comment ? h('p', { class: 'text' }, f.comment) : null);
  }
  const rating = h('select', { name: 'rating' }, [5, 4, 3, 2, 1].map((n) => h('option', { value: String(n) }, '★'.repeat(n))));
  const resolved = h('select', { name: 'resolved' }, h('option', { value: '' }, t('q.resolvedUnknown')), h('option', { value: 'true' }, t('q.resolvedYes')), h('option', { value: 'false' }, t('q.resolvedNo')));
  const comment = h('textarea', { name: 'comment', rows: 2 });
  const submit = h('button', { type: 'submit', class: 'secondary' }, t('q.recordFeedback'));
  const form = h('form', {
    class: 'card',
    on: {
      submit: (e) => {
        e.preventDefault();
        busy(submit, async () => {
          try {
            await post(`/questions/${q.id}/feedback`, { rating: Number(rating.value), resolved: resolved.value === '' ? null : resolved.value === 'true', comment: comment.value || null });
            reload();
          } catch (error) {
            showFieldErrors(form, error);
            toast(errorText(error), 'error');
          }
        });
      },
    },
  }, h('h2', null, t('q.feedback')), h('p', { class: 'muted small' }, t('q.feedbackHint')), h('div', { class: 'grid-2' }, field(t('q.rating'), rating), field(t('q.resolved'), resolved)), field(t('q.comment'), comment), submit);
  return form;
}

function trailList(trail) {
  if (!trail.length) return notice(t('q.noTrail'));
  return h('ol', { class: 'trail', dataset: { testid: 'trail' } }, trail.map((e) => h(
    'li',
    null,
    h('time', { class: 'muted small' }, fmtDateTime(e.at)),
    ' ',
    h('strong', null, tOr(`action.${e.action}`, e.action)),
    ' ',
    h('span', { class: 'muted small' }, tOr(`actor.${e.actor}`, e.actor)),
    describe(e) ? h('span', { class: 'block small' }, describe(e)) : null,
  )));
}

function describe(event) {
  const after = event.after || {};
  const parts = [];
  if (event.before?.status && after.status) parts.push(`${tOr(`status.${event.before.status}`, event.before.status)} → ${tOr(`status.${after.status}`, after.status)}`);
  if (after.reason) parts.push(String(after.reason));
  if (after.ring_name) parts.push(t('q.ring', { ring: after.ring_name }));
  if (typeof after.score === 'number') parts.push(t('q.scoreValue', { score: fmtPercent(after.score) }));
  if (after.verdict) parts.push(tOr(`verdict.${after.verdict}`, after.verdict));
  if (Array.isArray(after.reasons)) parts.push(after.reasons.join(', '));
  if (typeof after.rating === 'number') parts.push('★'.repeat(after.rating));
  return parts.join(' · ');
}
