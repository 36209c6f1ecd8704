// The company dashboard (/dashboard): live queue, questions, upload, charts, keys, webhook, pools.
import { h, replace } from '../lib/dom.js';
import { fmtMoney, initLocale, onLocaleChange, registerMessages, t } from '../lib/i18n.js';
import { get, onUnauthenticated } from '../lib/api.js';
import { currentSession, loginScreen, logOut, wrongRoleScreen } from '../lib/auth.js';
import { languageSwitch, notice } from '../lib/ui.js';
import common from '../messages/common.js';
import dashboardMessages from '../messages/dashboard.js';
import { analyticsScreen } from './analytics.js';
import { keysScreen } from './keys.js';
import { connected, onLiveEvent, onLiveStatus, startLive, stopLive } from './live.js';
import { throttled } from './common.js';
import { poolsScreen } from './pools.js';
import { questionDetailScreen, questionsScreen } from './questions.js';
import { queueScreen } from './queue.js';
import { uploadScreen } from './upload.js';
import { webhookScreen } from './webhook.js';

registerMessages(common, dashboardMessages);
initLocale();
const root = document.getElementById('root');
const TABS = ['queue', 'questions', 'upload', 'analytics', 'keys', 'webhook', 'pools'];
let session = null;
let shell = null;
let current = null;

function route() {
  const [tab, ...rest] = (location.hash.replace(/^#/, '') || 'queue').split('/');
  return { tab: TABS.includes(tab) ? tab : 'queue', id: rest.join('/') || null };
}

function buildShell() {
  const balance = h('span', { class: 'balance', dataset: { testid: 'balance' } });
  const live = h('span', { class: 'live-dot', role: 'status' });
  const nav = h('nav', { class: 'tabs', aria: { label: t('dash.nav') } });
  const screen = h('main', { id: 'screen', tabIndex: -1 });
  const logout = h('button', { type: 'button', class: 'secondary', on: { click: doLogout } }, t('auth.logout'));
  const el = h(
    'div',
    { class: 'dash' },
    h('header', { class: 'dash-top' }, h('div', { class: 'dash-title' }, h('strong', null, t('dash.title')), h('span', { class: 'company muted' }, '')), h('div', { class: 'dash-tools' }, live, balance, languageSwitch(), logout)),
    nav,
    screen,
  );
  return { el, balance, live, nav, screen, company: el.querySelector('.company') };
}

function renderNav() {
  const { tab } = route();
  replace(shell.nav, TABS.map((name) => h('a', { href: `#${name}`, class: 'tab', aria: name === tab ? { current: 'page' } : undefined, dataset: { testid: `tab-${name}` } }, t(`dash.tab.${name}`))));
}

function renderLive(isLive) {
  if (!shell) return;
  shell.live.textContent = isLive ? t('dash.live') : t('dash.notLive');
  shell.live.className = `live-dot ${isLive ? 'is-live' : ''}`;
}

async function loadAccount() {
  try {
    const account = await get('/account');
    shell.company.textContent = account.name;
    shell.balance.textContent = account.balances.map((b) => t('dash.budget', { amount: fmtMoney(b.budget, b.currency) })).join(' · ');
  } catch {
    shell.balance.textContent = '';
  }
}

function mount() {
  current?.destroy?.();
  const { tab, id } = route();
  const screens = {
    queue: queueScreen,
    questions: id ? (ctx) => questionDetailScreen({ ...ctx, id }) : questionsScreen,
    upload: uploadScreen,
    analytics: analyticsScreen,
    keys: keysScreen,
    webhook: webhookScreen,
    pools: poolsScreen,
  };
  current = screens[tab]({ refreshAccount: loadAccount });
  replace(shell.screen, current.el);
  renderNav();
}

let wired = false;
function startDashboard(who) {
  session = who;
  shell = buildShell();
  replace(root, shell.el);
  mount();
  loadAccount();
  startLive();
  renderLive(false);
  if (wired) return;
  wired = true;
  onLiveStatus(renderLive);
  onLiveEvent(throttled(() => shell && loadAccount(), 3000)); // holds and spend move with events
  window.addEventListener('hashchange', () => {
    if (!shell) return;
    mount();
    shell.screen.focus({ preventScroll: true });
  });
}

function signedOut() {
  stopLive();
  current?.destroy?.();
  current = null;
  shell = null;
  session = null;
  showLogin();
}

async function doLogout() {
  await logOut().catch(() => null);
  signedOut();
}

function showLogin() {
  replace(root, loginScreen({
    title: t('dash.loginTitle'),
    subtitle: t('dash.loginSubtitle'),
    onLoggedIn: (who) => (who.role === 'company_admin' ? startDashboard(who) : replace(root, wrongRoleScreen(who, { message: t('dash.wrongRole'), onLoggedOut: showLogin }))),
  }));
}

async function boot() {
  let who;
  try {
    who = await currentSession();
  } catch {
    replace(root, h('main', { class: 'auth' }, notice(t('common.error.network'), 'error')));
    return;
  }
  if (!who) showLogin();
  else if (who.role !== 'company_admin') replace(root, wrongRoleScreen(who, { message: t('dash.wrongRole'), onLoggedOut: showLogin }));
  else startDashboard(who);
}

onUnauthenticated(() => shell && signedOut());
onLocaleChange(() => {
  if (!session) {
    boot();
    return;
  }
  shell = buildShell();
  replace(root, shell.el);
  mount();
  loadAccount();
  renderLive(connected);
});
boot();
