// One expert's record with the moderator's company: memberships, verdicts, appeals, sanctions.
import { h, replace } from '../lib/dom.js';
import { get } from '../lib/api.js';
import { fmtDateTime, fmtPercent, t, tOr } from '../lib/i18n.js';
import { errorText, notice, section } from '../lib/ui.js';
import { sanctionTable } from './sanctions.js';

export function expertScreen({ id }) {
  const body = h('div', null, notice(t('common.loading')));
  const el = h('div', { class: 'screen', dataset: { testid: 'expert-record' } }, body);
  get(`/moderation/experts/${encodeURIComponent(id)}`).then((record) => replace(body,
    h('div', { class: 'row-between' }, h('h1', null, record.display_name), h('span', { class: ['status', `status-${record.account_status}`] }, tOr(`mod.account.${record.account_status}`, record.account_status))),
    h('p', null, h('a', { href: `#sanctions/${record.expert_id}`, class: 'button secondary', dataset: { testid: 'sanction-expert-link' } }, t('mod.expert.sanction'))),
    section(t('mod.expert.memberships'), record.memberships.length ? h('table', null,
      h('thead', null, h('tr', null, h('th', null, t('mod.expert.pool')), h('th', null, t('mod.expert.status')), h('th', null, t('mod.expert.tier')), h('th', null, t('mod.expert.reputation')), h('th', null, t('mod.expert.since')))),
      h('tbody', null, record.memberships.map((m) => h('tr', null, h('td', null, m.pool), h('td', null, m.status, m.suspended_until ? ` · ${t('mod.expert.suspendedUntil', { when: fmtDateTime(m.suspended_until) })}` : ''), h('td', null, m.tier), h('td', null, fmtPercent(m.reputation_lower)), h('td', null, fmtDateTime(m.since)))))) : notice(t('common.none'))),
    section(t('mod.expert.verdicts'), record.verdicts.length ? h('ul', { class: 'plain-list' }, record.verdicts.map((v) => h('li', null,
      h('strong', null, tOr(`mod.verdictName.${v.verdict}`, v.verdict)), ' ', v.reasons.map((r) => h('span', { class: 'chip' }, tOr(`mod.reject.${r}`, r))), ' ', h('span', { class: 'muted small' }, fmtDateTime(v.at)), v.note ? h('span', { class: 'block small text' }, v.note) : null))) : notice(t('common.none'))),
    section(t('mod.expert.disputes'), record.disputes.length ? h('ul', { class: 'plain-list' }, record.disputes.map((d) => h('li', null, t(`mod.dispute.status.${d.status}`), ' · ', fmtDateTime(d.created_at), h('span', { class: 'block small text' }, d.note)))) : notice(t('common.none'))),
    section(t('mod.expert.sanctions'), record.sanctions.length ? sanctionTable(record.sanctions) : notice(t('common.none'))),
  )).catch((error) => replace(body, notice(errorText(error), 'error')));
  return { el };
}
