// Earnings (pending, available, paid) and each reward with its breakdown.
// Written against issue 5's GET /api/v1/expert/earnings and /rewards: until they exist the
// screen says "not available yet" (see README: front end, assumptions).
import { h, replace } from '../lib/dom.js';
import { get, isMissingEndpoint, query } from '../lib/api.js';
import { fmtDateTime, fmtMoney, fmtNumber, fmtPercent, localized, t, tOr } from '../lib/i18n.js';
import { errorText, notAvailable, notice } from '../lib/ui.js';

export function earningsScreen() {
  const balances = h('div', { class: 'balances', aria: { busy: 'true' } }, notice(t('common.loading')));
  const rewards = h('div', { class: 'rewards' });
  const el = h('div', { class: 'screen' }, h('h1', null, t('earnings.title')), balances, h('h2', null, t('earnings.rewards')), rewards);
  let cursor = null;

  async function loadBalances() {
    try {
      const data = await get('/expert/earnings');
      const rows = normaliseBalances(data);
      replace(balances, rows.length ? rows.map(balanceCard) : notice(t('earnings.none')));
    } catch (error) {
      replace(balances, isMissingEndpoint(error) ? notAvailable(t('earnings.soon')) : notice(errorText(error), 'error'));
    }
    balances.removeAttribute('aria-busy');
  }

  async function loadRewards(more = false) {
    try {
      const page = await get(`/expert/rewards${query({ limit: 20, cursor: more ? cursor : null })}`);
      const items = Array.isArray(page) ? page : page.items || [];
      cursor = page.next_cursor || null;
      const list = items.map(rewardItem);
      if (more) rewards.querySelector('.load-more')?.remove();
      else replace(rewards);
      rewards.append(...list);
      if (!more && !items.length) rewards.append(notice(t('earnings.noRewards')));
      if (cursor) rewards.append(h('button', { type: 'button', class: 'secondary load-more', on: { click: () => loadRewards(true) } }, t('common.loadMore')));
    } catch (error) {
      replace(rewards, isMissingEndpoint(error) ? notAvailable(t('earnings.rewardsSoon')) : notice(errorText(error), 'error'));
    }
  }

  loadBalances();
  loadRewards();
  return {
    el,
    update(what) {
      if (what === 'earnings') {
        loadBalances();
        loadRewards();
      }
    },
  };
}

/** {balances: [...]}, [...] or one {currency, pending, available, paid} object. */
function normaliseBalances(data) {
  if (Array.isArray(data)) return data;
  if (Array.isArray(data?.balances)) return data.balances;
  if (data && data.currency) return [data];
  return [];
}

function balanceCard(b) {
  const item = (key) => h('div', { class: 'stat' }, h('span', { class: 'stat-label' }, t(`earnings.${key}`)), h('strong', { class: 'stat-value' }, fmtMoney(b[key] ?? 0, b.currency)));
  return h('div', { class: 'card stats' }, item('pending'), item('available'), item('paid'));
}

function rewardItem(reward) {
  return h(
    'details',
    { class: 'card reward-item' },
    h(
      'summary',
      null,
      h('strong', null, fmtMoney(reward.payout ?? reward.amount, reward.currency)),
      ' ',
      h('span', { class: 'muted' }, reward.question_subject || reward.subject || ''),
      reward.status ? h('span', { class: 'chip' }, tOr(`earnings.status.${reward.status}`, reward.status)) : null,
      h('span', { class: 'small muted block' }, fmtDateTime(reward.created_at || reward.credited_at)),
    ),
    breakdown(reward.breakdown, reward.currency),
  );
}

// The reward API's breakdown: base and payout are money (minor units), quality_score a share,
// multipliers strings such as "1.20", capped a flag.
const MONEY_PARTS = new Set(['base', 'payout', 'amount', 'quality', 'bonus']);

function breakdownValue(name, value, currency) {
  if (typeof value === 'boolean') return t(value ? 'common.yes' : 'common.no');
  if (typeof value === 'number') return MONEY_PARTS.has(name) ? fmtMoney(value, currency) : name === 'quality_score' ? fmtPercent(value) : fmtNumber(value);
  return String(value ?? '');
}

/** A breakdown as rows: {base: 800, quality: 120} or [{label|name|code, amount, note}]. */
function breakdown(value, currency) {
  const rows = Array.isArray(value)
    ? value.map((row) => [localized(row.label ?? row.name ?? row.code ?? ''), row.amount, localized(row.note ?? row.reason ?? '')])
    : Object.entries(value || {}).map(([name, amount]) => [name, amount, '']);
  if (!rows.length) return notice(t('earnings.noBreakdown'));
  return h(
    'table',
    { class: 'breakdown' },
    h('caption', { class: 'sr-only' }, t('earnings.breakdown')),
    h('tbody', null, rows.map(([name, amount, note]) => h(
      'tr',
      null,
      h('th', { scope: 'row' }, tOr(`earnings.part.${name}`, name)),
      h('td', null, breakdownValue(name, amount, currency)),
      h('td', { class: 'muted small' }, note),
    ))),
  );
}
