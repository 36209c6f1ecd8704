// Pool settings: offer mode, offer timeout, broadcast size, answer time, hourly cap, invite-only.
// Audit rates and the reward table belong to moderation and rewards (issues 5/6): shown here
// once the pool carries them.
import { h, replace } from '../lib/dom.js';
import { get, patch } from '../lib/api.js';
import { fmtNumber, t } from '../lib/i18n.js';
import { busy, errorText, field, notAvailable, notice, showFieldErrors, toast } from '../lib/ui.js';

const NUMBERS = ['offer_timeout_seconds', 'broadcast_k', 'answer_minutes', 'hourly_offer_cap'];

export function poolsScreen() {
  const list = h('div', null, notice(t('common.loading')));
  const el = h('div', { class: 'screen' }, h('h1', null, t('pools.title')), h('p', { class: 'muted' }, t('pools.intro')), list);
  async function load() {
    try {
      const pools = await get('/pools');
      replace(list, pools.map((pool) => poolForm(pool, load)));
    } catch (error) {
      replace(list, notice(errorText(error), 'error'));
    }
  }
  load();
  return { el };
}

function poolForm(pool, reload) {
  const mode = h(
    'select',
    { name: 'offer_mode' },
    h('option', { value: '', selected: pool.offer_mode === null }, t('pools.inherit', { value: t(`pools.mode.${pool.effective.offer_mode}`) })),
    ['sequential', 'broadcast'].map((m) => h('option', { value: m, selected: pool.offer_mode === m }, t(`pools.mode.${m}`))),
  );
  const inputs = Object.fromEntries(NUMBERS.map((name) => {
    const [min, max] = pool.limits[name];
    return [name, h('input', { type: 'number', name, min, max, step: 1, inputMode: 'numeric', value: pool.settings[name] ?? '', placeholder: String(pool.effective[name]) })];
  }));
  const inviteOnly = h('input', { type: 'checkbox', name: 'invite_only', checked: pool.invite_only });
  const save = h('button', { type: 'submit', class: 'primary' }, t('common.save'));
  const form = h('form', {
    class: 'card pool-form',
    dataset: { slug: pool.slug, testid: `pool-${pool.slug}` },
    on: {
      submit: (e) => {
        e.preventDefault();
        const changes = {};
        const wantMode = mode.value || null;
        if (wantMode !== pool.offer_mode) changes.offer_mode = wantMode;
        for (const name of NUMBERS) {
          const raw = inputs[name].value.trim();
          const want = raw === '' ? null : Number(raw);
          if (want !== (pool.settings[name] ?? null)) changes[name] = want;
        }
        if (inviteOnly.checked !== pool.invite_only) changes.invite_only = inviteOnly.checked;
        if (!Object.keys(changes).length) {
          toast(t('pools.nothing'), 'info');
          return;
        }
        busy(save, async () => {
          try {
            await patch(`/pools/${encodeURIComponent(pool.slug)}`, changes);
            toast(t('pools.saved', { name: pool.name }), 'good');
            reload();
          } catch (error) {
            const rest = showFieldErrors(form, error);
            toast([errorText(error), ...rest].join(' '), 'error');
          }
        });
      },
    },
  },
  h('div', { class: 'row-between' }, h('h2', null, pool.name), h('span', { class: 'chip' }, t(`pools.kind.${pool.kind}`))),
  h('p', { class: 'muted small' }, `${pool.brand} · ${pool.slug}`),
  h('div', { class: 'grid-3' },
    field(t('pools.offerMode'), mode),
    NUMBERS.map((name) => field(t(`pools.${name}`), inputs[name], t('pools.range', { min: fmtNumber(pool.limits[name][0]), max: fmtNumber(pool.limits[name][1]), value: fmtNumber(pool.effective[name]) })))),
  h('label', { class: 'choice' }, inviteOnly, ' ', t('pools.inviteOnly')),
  h('div', { class: 'subsection' }, h('h3', null, t('pools.auditRates')), pool.audit_rates ? h('pre', null, JSON.stringify(pool.audit_rates, null, 2)) : notAvailable(t('pools.auditSoon'))),
  h('div', { class: 'subsection' }, h('h3', null, t('pools.rewardTable')), pool.reward_table ? h('pre', null, JSON.stringify(pool.reward_table, null, 2)) : notAvailable(t('pools.rewardSoon'))),
  h('div', { class: 'row' }, save));
  return form;
}
