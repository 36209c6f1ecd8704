// Expert vetting: applications waiting for review, with the qualification test and what the
// expert told us; approve (into the pool at the probation tier) or reject.
import { h, replace } from '../lib/dom.js';
import { get, post, query } from '../lib/api.js';
import { fmtDateTime, fmtPercent, languageName, t } from '../lib/i18n.js';
import { busy, errorText, field, notice, toast } from '../lib/ui.js';
import { expertLink } from './common.js';

export function applicationsScreen() {
  const list = h('div', { dataset: { testid: 'applications' } }, notice(t('common.loading')));
  const el = h('div', { class: 'screen' }, h('h1', null, t('mod.apps.title')), h('p', { class: 'muted' }, t('mod.apps.intro')), list);
  let cursor = null;

  async function load(more = false) {
    try {
      const page = await get(`/moderation/applications${query({ cursor: more ? cursor : null, limit: 50 })}`);
      cursor = page.next_cursor;
      if (!more) replace(list);
      list.querySelector('.load-more')?.remove();
      list.append(...page.items.map((a) => applicationCard(a, () => load())));
      if (!more && !page.items.length) list.append(notice(t('mod.apps.none')));
      if (cursor) list.append(h('button', { type: 'button', class: 'secondary load-more', on: { click: () => load(true) } }, t('common.loadMore')));
    } catch (error) {
      replace(list, notice(errorText(error), 'error'));
    }
  }
  load();
  return { el };
}

function applicationCard(app, reload) {
  const note = h('input', { type: 'text', name: 'note', maxLength: 2000, placeholder: t('mod.verdict.notePlaceholder') });
  const decide = (approve) => async (event) => {
    await busy(event.currentTarget, async () => {
      try {
        await post(`/moderation/applications/${app.membership_id}/decision`, { approve, note: note.value.trim() });
        toast(t(approve ? 'mod.apps.approved' : 'mod.apps.rejected'), 'good');
        reload();
      } catch (error) {
        toast(errorText(error), 'error');
      }
    });
  };
  const questions = app.test?.questions || [];
  const grades = app.test?.grades || app.grades || {};
  return h('article', { class: 'card', dataset: { testid: 'application', id: app.membership_id } },
    h('div', { class: 'row-between' }, h('strong', null, app.pool_name), h('span', { class: 'muted small' }, fmtDateTime(app.applied_at))),
    h('p', { class: 'small' }, expertLink(app.expert_id)),
    h('dl', { class: 'facts' },
      h('dt', null, t('mod.apps.test')), h('dd', { dataset: { testid: 'test-score' } }, app.no_test ? t('mod.apps.noTest') : typeof app.test_score === 'number' ? fmtPercent(app.test_score) : t('mod.apps.notTaken')),
      h('dt', null, t('mod.apps.languages')), h('dd', null, (app.languages || []).map(languageName).join(', ') || '–'),
      h('dt', null, t('mod.apps.skills')), h('dd', null, Object.entries(app.skills || {}).map(([tag, level]) => `${tag} ${'★'.repeat(level)}`).join(' · ') || '–'),
      h('dt', null, t('mod.apps.brands')), h('dd', null, (app.brands || []).join(', ') || '–'),
      h('dt', null, t('mod.apps.topics')), h('dd', null, (app.topics || []).join(', ') || '–')),
    app.motivation ? h('p', null, h('span', { class: 'muted' }, t('mod.apps.motivation')), ' ', h('span', { class: 'text' }, app.motivation)) : null,
    questions.length ? h('details', null, h('summary', null, t('mod.apps.answers')), h('ol', null, questions.map((q) => h('li', null,
      h('p', null, h('strong', null, q.subject || q.prompt || '')),
      h('p', { class: 'text small' }, (app.answers || {})[q.id] ?? ''),
      grades[q.id] ? h('p', { class: 'small muted' }, grades[q.id].passed ? t('mod.apps.passed') : t('mod.apps.failed')) : null)))) : null,
    field(t('mod.verdict.note'), note),
    h('div', { class: 'row' },
      h('button', { type: 'button', class: 'primary', dataset: { testid: 'approve-application' }, on: { click: decide(true) } }, t('mod.apps.approve')),
      h('button', { type: 'button', class: 'danger', dataset: { testid: 'reject-application' }, on: { click: decide(false) } }, t('mod.apps.reject'))));
}
