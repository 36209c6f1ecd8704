// Pool settings: offer mode, offer timeout, broadcast size, answer time, hourly cap, invite-only,
// and how answers are audited (sample rates per tier, low score, low rating, hold). The reward
// table is shown once the pool carries one.
import { h, replace } from '../lib/dom.js';
import { get, patch } from '../lib/api.js';
import { fmtNumber, fmtPercent, t } from '../lib/i18n.js';
import { busy, errorText, field, notAvailable, notice, showFieldErrors, toast } from '../lib/ui.js';

const NUMBERS = ['offer_timeout_seconds', 'broadcast_k', 'answer_minutes', 'hourly_offer_cap'];
// Audit fields: [name in the form (the API's error path), how to read it from pool.audit].
const RATES = ['vetted', 'trusted'];

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
  const audit = auditFields(pool);
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
        const auditChanges = audit.changes();
        if (auditChanges) changes.audit = auditChanges;
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
  audit.el,
  h('div', { class: 'subsection' }, h('h3', null, t('pools.rewardTable')), pool.reward_table ? h('pre', null, JSON.stringify(pool.reward_table, null, 2)) : notAvailable(t('pools.rewardSoon'))),
  h('div', { class: 'row' }, save));
  return form;
}

/** The audit settings as inputs; changes() gives what differs from the pool's own settings. */
function auditFields(pool) {
  const own = pool.audit || {};
  const effective = pool.audit_effective;
  const ownRates = own.sample_rates || {};
  const share = (name, value, placeholder) => h('input', { type: 'number', name, min: 0, max: 1, step: 0.01, inputMode: 'decimal', value: value ?? '', placeholder: placeholder === null ? t('pools.audit.acceptThreshold') : String(placeholder) });
  const rates = Object.fromEntries(RATES.map((tier) => [tier, share(`audit.sample_rates.${tier}`, ownRates[tier], effective.sample_rates[tier])]));
  const lowScore = share('audit.low_score', own.low_score, effective.low_score);
  const lowRating = h('select', { name: 'audit.low_rating' },
    h('option', { value: '', selected: own.low_rating === undefined }, t('pools.audit.default', { value: effective.low_rating })),
    [1, 2, 3, 4, 5].map((n) => h('option', { value: String(n), selected: own.low_rating === n }, String(n))));
  const hold = h('select', { name: 'audit.hold' },
    h('option', { value: '', selected: own.hold === undefined }, t('pools.audit.default', { value: t(effective.hold ? 'pools.audit.hold' : 'pools.audit.release') })),
    h('option', { value: 'true', selected: own.hold === true }, t('pools.audit.hold')),
    h('option', { value: 'false', selected: own.hold === false }, t('pools.audit.release')));
  const number = (input) => (input.value.trim() === '' ? null : Number(input.value));
  const el = h('fieldset', { class: 'subsection', dataset: { testid: 'audit-settings' } },
    h('legend', null, h('strong', null, t('pools.auditRates'))),
    h('p', { class: 'muted small' }, t('pools.audit.intro')),
    h('div', { class: 'grid-3' },
      RATES.map((tier) => field(t(`pools.audit.rate.${tier}`), rates[tier], t('pools.audit.shareHint', { value: fmtPercent(effective.sample_rates[tier], 1) }))),
      field(t('pools.audit.lowScore'), lowScore, t('pools.audit.lowScoreHint')),
      field(t('pools.audit.lowRating'), lowRating),
      field(t('pools.audit.holdLabel'), hold, t('pools.audit.holdHint'))));
  return {
    el,
    changes() {
      const changes = {};
      const sampleRates = {};
      for (const tier of RATES) {
        const want = number(rates[tier]);
        if (want !== (ownRates[tier] ?? null)) sampleRates[tier] = want;
      }
      if (Object.keys(sampleRates).length) changes.sample_rates = sampleRates;
      if (number(lowScore) !== (own.low_score ?? null)) changes.low_score = number(lowScore);
      const rating = lowRating.value === '' ? null : Number(lowRating.value);
      if (rating !== (own.low_rating ?? null)) changes.low_rating = rating;
      const holding = hold.value === '' ? null : hold.value === 'true';
      if (holding !== (own.hold ?? null)) changes.hold = holding;
      return Object.keys(changes).length ? changes : null;
    },
  };
}
