// Disputes: experts' appeals against a rejection, decided by a moderator other than the one
// who rejected (uphold, or overturn: the answer is accepted and paid).
import { h, replace } from '../lib/dom.js';
import { get, post, query } from '../lib/api.js';
import { fmtDateTime, t, tOr } from '../lib/i18n.js';
import { busy, errorText, field, notice, toast } from '../lib/ui.js';
import { throttled } from '../lib/throttle.js';
import { bilingual, expertLink } from './common.js';

export function disputesScreen() {
  const status = h('select', { name: 'status', dataset: { testid: 'dispute-status' }, on: { change: () => load() } },
    ['open', 'upheld', 'overturned', ''].map((s) => h('option', { value: s }, s ? t(`mod.dispute.status.${s}`) : t('mod.dispute.status.all'))));
  const list = h('div', { dataset: { testid: 'disputes' } }, notice(t('common.loading')));
  const el = h('div', { class: 'screen' }, h('h1', null, t('mod.disputes.title')), h('p', { class: 'muted' }, t('mod.disputes.intro')), h('div', { class: 'filters' }, field(t('mod.filter.status'), status)), list);
  let cursor = null;

  async function load(more = false) {
    try {
      const page = await get(`/moderation/disputes${query({ status: status.value, cursor: more ? cursor : null, limit: 50 })}`);
      cursor = page.next_cursor;
      if (!more) replace(list);
      list.querySelector('.load-more')?.remove();
      list.append(...page.items.map((d) => disputeCard(d, () => load())));
      if (!more && !page.items.length) list.append(notice(t('mod.disputes.none')));
      if (cursor) list.append(h('button', { type: 'button', class: 'secondary load-more', on: { click: () => load(true) } }, t('common.loadMore')));
    } catch (error) {
      replace(list, notice(errorText(error), 'error'));
    }
  }
  load();
  const reload = throttled(() => load(), 500);
  return { el, onEvent: (event) => event.startsWith('dispute.') && reload() };
}

function disputeCard(dispute, reload) {
  const answer = h('div', { class: 'dispute-answer' });
  const note = h('input', { type: 'text', name: 'note', maxLength: 2000, placeholder: t('mod.verdict.notePlaceholder') });
  const decide = (overturn) => async (event) => {
    await busy(event.currentTarget, async () => {
      try {
        await post(`/moderation/disputes/${dispute.id}/decision`, { overturn, note: note.value.trim() });
        toast(t(overturn ? 'mod.dispute.overturned' : 'mod.dispute.upheld'), 'good');
        reload();
      } catch (error) {
        toast(errorText(error), 'error');
      }
    });
  };
  const open = dispute.status === 'open';
  const card = h('article', { class: 'card', dataset: { testid: 'dispute', id: dispute.id } },
    h('div', { class: 'row-between' }, h('strong', null, t('mod.dispute.title')), h('span', { class: ['status', `status-${dispute.status}`] }, t(`mod.dispute.status.${dispute.status}`))),
    h('p', { class: 'small muted' }, fmtDateTime(dispute.created_at), ' · ', expertLink(dispute.expert_id)),
    h('p', null, h('span', { class: 'muted' }, t('mod.dispute.expertNote')), ' ', h('span', { class: 'text' }, dispute.note)),
    dispute.decision_note ? h('p', { class: 'small' }, t('mod.dispute.decisionNote'), ' ', h('span', { class: 'text' }, dispute.decision_note)) : null,
    h('details', { on: { toggle: (e) => e.target.open && !answer.childElementCount && loadAnswer(dispute.answer_id, answer) } }, h('summary', null, t('mod.dispute.showAnswer')), answer),
    open ? h('div', null, field(t('mod.verdict.note'), note), h('div', { class: 'row' },
      h('button', { type: 'button', class: 'secondary', dataset: { testid: 'uphold' }, on: { click: decide(false) } }, t('mod.dispute.uphold')),
      h('button', { type: 'button', class: 'primary', dataset: { testid: 'overturn' }, on: { click: decide(true) } }, t('mod.dispute.overturn')))) : null);
  return card;
}

async function loadAnswer(answerId, into) {
  replace(into, notice(t('common.loading')));
  try {
    const data = await get(`/moderation/answers/${answerId}`);
    const q = data.question || {};
    const signals = data.explanation?.signals || data.signals?.signals || [];
    replace(into,
      h('p', { class: 'question-subject' }, q.subject || ''),
      h('p', { class: 'text small' }, q.body || ''),
      h('h3', null, t('mod.item.answer')),
      h('p', { class: 'text' }, data.answer?.body ?? data.body ?? ''),
      signals.length ? h('ul', { class: 'signals' }, signals.map((s) => h('li', { class: s.flagged ? 'signal-bad' : 'signal-good' }, h('strong', null, tOr(`mod.signal.${s.code}`, s.code)), ' ', h('span', { class: 'small' }, bilingual(s.reason, s.reason_zh))))) : null);
  } catch (error) {
    replace(into, notice(errorText(error), 'error'));
  }
}
