// Sanctions: warn, suspend (until a time), remove from a pool, ban (platform admins), each with
// a reason; and the list of sanctions the company gave.
import { h, replace } from '../lib/dom.js';
import { get, post, query } from '../lib/api.js';
import { fmtDateTime, t, tOr } from '../lib/i18n.js';
import { busy, errorText, field, notice, showFieldErrors, toast } from '../lib/ui.js';
import { bilingual, expertLink, SANCTION_KINDS } from './common.js';

export function sanctionsScreen({ expertId, session }) {
  const expert = h('input', { type: 'text', name: 'expert_id', required: true, value: expertId || '', placeholder: '00000000-0000-0000-0000-000000000000', dataset: { testid: 'sanction-expert' } });
  const kinds = session.role === 'platform_admin' ? SANCTION_KINDS : SANCTION_KINDS.filter((k) => k !== 'ban');
  const kind = h('select', { name: 'kind', dataset: { testid: 'sanction-kind' } }, kinds.map((k) => h('option', { value: k }, t(`mod.sanction.kind.${k}`))));
  const reason = h('textarea', { name: 'reason', rows: 3, maxLength: 2000, required: true, dataset: { testid: 'sanction-reason' } });
  const until = h('input', { type: 'datetime-local', name: 'until', dataset: { testid: 'sanction-until' } });
  const pool = h('select', { name: 'pool_id', dataset: { testid: 'sanction-pool' } });
  const untilField = field(t('mod.sanction.until'), until);
  const poolField = field(t('mod.sanction.pool'), pool);
  const save = h('button', { type: 'submit', class: 'danger', dataset: { testid: 'sanction-submit' } }, t('mod.sanction.submit'));
  const showFields = () => {
    untilField.hidden = kind.value !== 'suspend';
    poolField.hidden = kind.value !== 'remove_from_pool';
  };
  kind.addEventListener('change', showFields);
  showFields();
  const form = h('form', {
    class: 'card',
    dataset: { testid: 'sanction-form' },
    on: {
      submit: (e) => {
        e.preventDefault();
        const body = { expert_id: expert.value.trim(), kind: kind.value, reason: reason.value.trim() };
        if (kind.value === 'suspend' && until.value) body.until = new Date(until.value).toISOString();
        if (kind.value === 'remove_from_pool' && pool.value) body.pool_id = pool.value;
        if (kind.value === 'ban' && !window.confirm(t('mod.sanction.confirmBan'))) return;
        busy(save, async () => {
          try {
            await post('/moderation/sanctions', body);
            toast(t('mod.sanction.done'), 'good');
            reason.value = '';
            load();
          } catch (error) {
            const rest = showFieldErrors(form, error);
            toast([errorText(error), ...rest].join(' '), 'error');
          }
        });
      },
    },
  }, h('h2', null, t('mod.sanction.new')), h('div', { class: 'grid-2' }, field(t('mod.sanction.expert'), expert), field(t('mod.sanction.kind'), kind)), field(t('mod.sanction.reason'), reason), untilField, poolField, save);
  const list = h('div', { dataset: { testid: 'sanctions' } }, notice(t('common.loading')));
  const el = h('div', { class: 'screen' }, h('h1', null, t('mod.sanctions.title')), form, h('h2', null, t('mod.sanctions.given')), list);

  get('/moderation/pools').then((pools) => replace(pool, pools.map((p) => h('option', { value: p.id }, p.name)))).catch(() => null);

  async function load() {
    try {
      const page = await get(`/moderation/sanctions${query({ expert_id: expertId, limit: 100 })}`);
      replace(list, page.items.length ? sanctionTable(page.items) : notice(t('mod.sanctions.none')));
    } catch (error) {
      replace(list, notice(errorText(error), 'error'));
    }
  }
  load();
  return { el };
}

export function sanctionTable(items) {
  return h('div', { class: 'table-wrap' }, h('table', null,
    h('thead', null, h('tr', null, ['when', 'expert', 'kind', 'scope', 'reason', 'until'].map((c) => h('th', null, t(`mod.sanction.col.${c}`))))),
    h('tbody', null, items.map((s) => h('tr', { dataset: { testid: 'sanction-row', kind: s.kind } },
      h('td', null, fmtDateTime(s.created_at)),
      h('td', null, s.expert_id ? expertLink(s.expert_id) : ''),
      h('td', null, t(`mod.sanction.kind.${s.kind}`), s.automatic ? h('span', { class: 'chip' }, t('mod.sanction.automatic')) : null),
      h('td', null, tOr(`mod.sanction.scope.${s.scope}`, s.scope)),
      h('td', { class: 'text' }, bilingual(s.reason, s.reason_zh) || '–'),
      h('td', null, s.until ? fmtDateTime(s.until) : '–', s.lifted_at ? ` · ${t('mod.sanction.lifted')}` : ''))))));
}
