// Pool settings: offer mode, offer timeout, broadcast size, answer time, hourly cap, invite-only,
// how answers are audited (sample rates per tier, low score, low rating, hold), and the reward
// table that prices questions posted without a reward (docs/rewards.md#reward-table).
import { h, replace } from '../lib/dom.js';
import { get, patch } from '../lib/api.js';
import { exponentOf, parseMajor, toMajor } from '../lib/currencies.js';
import { fmtMoney, fmtNumber, fmtPercent, t } from '../lib/i18n.js';
import { busy, errorText, field, notice, showFieldErrors, toast } from '../lib/ui.js';

const NUMBERS = ['offer_timeout_seconds', 'broadcast_k', 'answer_minutes', 'hourly_offer_cap'];
// Audit fields: [name in the form (the API's error path), how to read it from pool.audit].
const RATES = ['vetted', 'trusted'];
const CHANNELS = ['web', 'app', 'email', 'wechat', 'weibo', 'phone', 'other'];

export function poolsScreen() {
  const list = h('div', null, notice(t('common.loading')));
  const el = h('div', { class: 'screen' }, h('h1', null, t('pools.title')), h('p', { class: 'muted' }, t('pools.intro')), list);
  async function load() {
    try {
      const [pools, account] = await Promise.all([get('/pools'), get('/account')]);
      const currencies = account.balances.map((b) => b.currency);
      replace(list, pools.map((pool) => poolForm(pool, currencies.length ? currencies : [account.currency], load)));
    } catch (error) {
      replace(list, notice(errorText(error), 'error'));
    }
  }
  load();
  return { el };
}

function poolForm(pool, currencies, reload) {
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
  const rewards = rewardTableFields(pool, currencies);
  const save = h('button', { type: 'submit', class: 'primary' }, t('common.save'));
  const form = h('form', {
    class: 'card pool-form',
    // updated tells a reloaded form from the one saved (tests wait on it).
    dataset: { slug: pool.slug, testid: `pool-${pool.slug}`, updated: pool.updated_at },
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
        const table = rewards.read();
        if (table.errors) {
          showFieldErrors(form, { errors: table.errors });
          toast(t('pools.rewards.fix'), 'error');
          return;
        }
        if (!sameTable(table.value, pool.reward_table ?? null)) changes.reward_table = table.value;
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
  rewards.el,
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

/** 2000 CNY minor units -> '20.00' (what the amount input shows and parseMajor reads back). */
function majorText(amount, currency) {
  return toMajor(amount, currency).toFixed(exponentOf(currency));
}

/** Tables are equal whatever the order of their rows (the API keeps them sorted). */
function sameTable(a, b) {
  const key = (table) => table && JSON.stringify([table.currency, table.rows.map((r) => [r.channel, r.min_priority, r.amount]).sort()]);
  return key(a) === key(b);
}

/**
 * The reward table as rows of inputs (channel, from priority, amount in major units).
 * read() gives {value} (the table to send, null for none) or {errors} keyed like the API's, so
 * an amount the currency cannot hold is marked on its input before anything is sent.
 */
function rewardTableFields(pool, currencies) {
  const own = pool.reward_table;
  const known = own && !currencies.includes(own.currency) ? [own.currency, ...currencies] : currencies;
  const currency = h('select', { name: 'reward_table.currency' },
    known.map((c) => h('option', { value: c, selected: (own?.currency ?? currencies[0]) === c }, c)));
  const body = h('tbody');
  const rows = [];
  function renumber() {
    rows.forEach((row, i) => {
      row.channel.name = `reward_table.rows.${i}.channel`;
      row.priority.name = `reward_table.rows.${i}.min_priority`;
      row.amount.name = `reward_table.rows.${i}.amount`;
    });
    empty.hidden = rows.length > 0;
  }
  function addRow(data = { channel: null, min_priority: 0, amount: null }) {
    const channel = h('select', { aria: { label: t('pools.rewards.channel') } },
      h('option', { value: '', selected: data.channel === null }, t('pools.rewards.anyChannel')),
      CHANNELS.map((c) => h('option', { value: c, selected: data.channel === c }, t(`channel.${c}`))));
    const priority = h('select', { aria: { label: t('pools.rewards.priority') } },
      [...Array(10).keys()].map((n) => h('option', { value: String(n), selected: data.min_priority === n }, t('pools.rewards.fromPriority', { value: n }))));
    const amount = h('input', {
      type: 'text', inputMode: 'decimal', aria: { label: t('pools.rewards.amount') },
      value: data.amount === null ? '' : majorText(data.amount, own.currency),
    });
    const row = { channel, priority, amount };
    const remove = h('button', {
      type: 'button', class: 'link', aria: { label: t('pools.rewards.remove') },
      on: { click: () => { rows.splice(rows.indexOf(row), 1); tr.remove(); renumber(); } },
    }, '×');
    const cell = (input) => h('td', null, h('span', { class: 'field' }, input));
    const tr = h('tr', null, cell(channel), cell(priority), cell(amount), h('td', null, remove));
    rows.push(row);
    body.append(tr);
    renumber();
  }
  const empty = h('p', { class: 'muted small' }, t('pools.rewards.none'));
  (own?.rows ?? []).forEach((row) => addRow(row));
  renumber();
  const add = h('button', { type: 'button', class: 'secondary', dataset: { testid: 'reward-add-row' }, on: { click: () => addRow() } }, t('pools.rewards.add'));
  const example = own ? t('pools.rewards.example', { amount: fmtMoney(own.rows[0].amount, own.currency) }) : t('pools.rewards.intro');
  const el = h('fieldset', { class: 'subsection', dataset: { testid: 'reward-table' } },
    h('legend', null, h('strong', null, t('pools.rewardTable'))),
    h('p', { class: 'muted small' }, t('pools.rewards.rule'), ' ', example),
    h('div', { class: 'grid-3' }, field(t('pools.rewards.currency'), currency)),
    h('table', { class: 'reward-table' },
      h('thead', null, h('tr', null,
        h('th', null, t('pools.rewards.channel')), h('th', null, t('pools.rewards.priority')),
        h('th', null, t('pools.rewards.amountIn', { currency: currency.value })), h('th'))),
      body),
    empty,
    h('div', { class: 'row' }, add));
  currency.addEventListener('change', () => {
    el.querySelector('thead th:nth-child(3)').textContent = t('pools.rewards.amountIn', { currency: currency.value });
  });
  return {
    el,
    read() {
      if (!rows.length) return { value: null };
      const errors = {};
      const parsed = rows.map((row, i) => {
        let amount = null;
        try {
          amount = parseMajor(row.amount.value, currency.value);
        } catch {
          errors[`rows.${i}.amount`] = [t('pools.rewards.badAmount', { currency: currency.value })];
        }
        return { channel: row.channel.value || null, min_priority: Number(row.priority.value), amount };
      });
      if (Object.keys(errors).length) return { errors: { reward_table: errors } };
      // Sent in the form's order, so an error's row index points at the right inputs.
      return { value: { currency: currency.value, rows: parsed } };
    },
  };
}
