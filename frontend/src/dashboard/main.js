// The company dashboard (/dashboard): live queue, questions, upload, charts, keys, webhook, pools.
import { h } from '../lib/dom.js';
import { fmtMoney, initLocale, registerMessages, t } from '../lib/i18n.js';
import { get } from '../lib/api.js';
import { runConsole } from '../lib/console.js';
import { throttled } from '../lib/throttle.js';
import common from '../messages/common.js';
import dashboardMessages from '../messages/dashboard.js';
import { analyticsScreen } from './analytics.js';
import { keysScreen } from './keys.js';
import { live } from './live.js';
import { poolsScreen } from './pools.js';
import { questionDetailScreen, questionsScreen } from './questions.js';
import { queueScreen } from './queue.js';
import { uploadScreen } from './upload.js';
import { webhookScreen } from './webhook.js';

registerMessages(common, dashboardMessages);
initLocale();
// The header's company name and budget, rebuilt with the header.
let header = null;

async function loadAccount() {
  const shown = header;
  if (!shown) return;
  try {
    const account = await get('/account');
    shown.company.textContent = account.name;
    shown.balance.textContent = account.balances.map((b) => t('dash.budget', { amount: fmtMoney(b.budget, b.currency) })).join(' · ');
  } catch {
    shown.balance.textContent = '';
  }
}

const app = runConsole({
  prefix: 'dash',
  className: 'dash',
  roles: ['company_admin'],
  live,
  tabs: ['queue', 'questions', 'upload', 'analytics', 'keys', 'webhook', 'pools'],
  screens: {
    queue: queueScreen,
    questions: (ctx, id) => (id ? questionDetailScreen({ ...ctx, id }) : questionsScreen(ctx)),
    upload: uploadScreen,
    analytics: analyticsScreen,
    keys: keysScreen,
    webhook: webhookScreen,
    pools: poolsScreen,
  },
  context: () => ({ refreshAccount: loadAccount }),
  title: () => {
    header = { company: h('span', { class: 'company muted' }, ''), balance: h('span', { class: 'balance', dataset: { testid: 'balance' } }) };
    return header.company;
  },
  tools: () => header.balance,
  onShell: loadAccount,
  // Holds and spend move with the events.
  onEvent: throttled(() => app.isSignedIn() && loadAccount(), 3000),
});
