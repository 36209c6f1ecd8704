// The expert app: a phone-first PWA shell served at /app/ (see marketplace/web).
import { h, replace } from '../lib/dom.js';
import { initLocale, onLocaleChange, registerMessages, t } from '../lib/i18n.js';
import { get, onUnauthenticated } from '../lib/api.js';
import { currentSession, loginScreen, logOut, wrongRoleScreen } from '../lib/auth.js';
import { notice, toast } from '../lib/ui.js';
import common from '../messages/common.js';
import expertMessages from '../messages/expert.js';
import { armAlerts } from './alert.js';
import { start, stop } from './connection.js';
import { tickCountdowns } from './common.js';
import { earningsScreen } from './earnings.js';
import { meScreen } from './me.js';
import { offersScreen } from './offers.js';
import { signupScreen } from './signup.js';
import { changed, state, subscribe } from './state.js';
import { composerScreen, workScreen } from './work.js';

registerMessages(common, expertMessages);
initLocale();
const root = document.getElementById('root');
const TABS = ['offers', 'work', 'earnings', 'me'];
let current = null; // the mounted screen {el, update, destroy}
let shell = null; // the app's frame once logged in
let authView = showLogin; // the logged-out screen on show (re-rendered on a language switch)
let live = false; // the socket is started for this login
let wired = false;

function route() {
  const [tab, id] = (location.hash.replace(/^#/, '') || 'offers').split('/');
  return { tab: TABS.includes(tab) ? tab : 'offers', id };
}

const go = (path) => {
  location.hash = `#${path}`;
};

function buildShell() {
  const pill = h('span', { class: 'conn-pill', role: 'status', dataset: { testid: 'connection' } });
  const banner = h('div', { class: 'banner', role: 'status', aria: { live: 'polite' }, hidden: true, dataset: { testid: 'banner' } });
  const screen = h('main', { id: 'screen', tabIndex: -1 });
  // The tabs are built once and updated in place: a tab re-created on every state change
  // swallowed a tap that landed while it was swapped (the press on the old, the release on
  // the new element).
  const tabs = Object.fromEntries(TABS.map((name) => {
    const label = h('span', { class: 'tab-label' });
    const badge = h('span', { class: 'badge', hidden: true });
    const link = h(
      'a',
      { href: `#${name}`, class: ['tab', `tab-${name}`], dataset: { testid: `tab-${name}` } },
      h('span', { class: 'tab-icon', aria: { hidden: 'true' } }, { offers: '◉', work: '✎', earnings: '¥', me: '☺' }[name]),
      label,
      badge,
    );
    return [name, { link, label, badge }];
  }));
  const nav = h('nav', { class: 'tabbar', aria: { label: t('nav.label') } }, TABS.map((name) => tabs[name].link));
  const el = h('div', { class: 'app' }, h('header', { class: 'topbar' }, h('span', { class: 'brand' }, t('app.title')), pill), banner, screen, nav);
  return { el, pill, banner, screen, nav, tabs };
}

function renderChrome() {
  const { pill, banner, nav, tabs } = shell;
  const live = state.connected;
  pill.textContent = live ? t('conn.live') : state.browserOnline ? t('conn.connecting') : t('conn.offline');
  pill.className = `conn-pill ${live ? 'is-live' : state.browserOnline ? 'is-connecting' : 'is-offline'}`;
  banner.hidden = live;
  banner.textContent = !state.browserOnline ? t('conn.offlineBanner') : state.everConnected ? t('conn.lostBanner') : t('conn.connectingBanner');
  banner.dataset.state = !state.browserOnline ? 'offline' : 'reconnecting';
  const { tab } = route();
  const counts = { offers: state.offers.size, work: state.assignments.size };
  nav.setAttribute('aria-label', t('nav.label'));
  for (const name of TABS) {
    const { link, label, badge } = tabs[name];
    if (name === tab) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
    label.textContent = t(`nav.${name}`);
    badge.hidden = !counts[name];
    badge.textContent = counts[name] ? String(counts[name]) : '';
    if (counts[name]) badge.setAttribute('aria-label', t('nav.count', { n: counts[name] }));
    else badge.removeAttribute('aria-label');
  }
}

function mountScreen() {
  current?.destroy?.();
  const { tab, id } = route();
  const context = { go, onLogout: logout };
  if (tab === 'offers') current = offersScreen(context);
  else if (tab === 'work' && id) current = composerScreen({ ...context, assignmentId: id });
  else if (tab === 'work') current = workScreen(context);
  else if (tab === 'earnings') current = earningsScreen(context);
  else current = meScreen(context);
  replace(shell.screen, current.el);
  renderChrome();
}

function startApp(session) {
  state.session = session;
  shell = buildShell();
  replace(root, shell.el);
  mountScreen();
  if (!live) {
    live = true;
    start({ onRefused: () => signedOut() });
    checkPools();
  }
  if (wired) return;
  wired = true;
  subscribe((what) => {
    if (!shell) return;
    current?.update?.(what);
    renderChrome();
  });
  window.addEventListener('hashchange', () => {
    if (!shell) return;
    mountScreen();
    shell.screen.focus({ preventScroll: true }); // screen readers start at the new screen
    window.scrollTo(0, 0);
  });
  setInterval(() => tickCountdowns(root), 500);
}

/** Whether the expert is in any pool yet (the offers screen says how to get offers if not). */
async function checkPools() {
  try {
    const pools = await get('/expert/pools');
    state.notInAnyPool = !pools.memberships.some((m) => m.status === 'approved');
    changed('presence');
  } catch {
    // only a hint; the Me screen shows the pools
  }
}

function signedOut() {
  stop();
  live = false;
  current?.destroy?.();
  current = null;
  shell = null;
  showLogin();
}

async function logout() {
  await logOut().catch(() => null);
  signedOut();
}

function showLogin() {
  authView = showLogin;
  replace(
    root,
    loginScreen({
      title: t('auth.expertTitle'),
      subtitle: t('auth.expertSubtitle'),
      onLoggedIn: (session) => (session.role === 'expert' ? startApp(session) : showWrongRole(session)),
      extra: h('p', { class: 'center' }, h('button', { type: 'button', class: 'link', on: { click: showSignup }, dataset: { testid: 'to-signup' } }, t('auth.noAccount'))),
    }),
  );
}

function showSignup() {
  authView = showSignup;
  replace(root, signupScreen({ onSignedUp: (session) => { toast(t('signup.welcome'), 'good', 6000); go('me'); startApp(session); }, onLogin: showLogin }));
}

function showWrongRole(session) {
  replace(root, wrongRoleScreen(session, { message: t('auth.wrongRole.expert'), onLoggedOut: showLogin }));
}

async function boot() {
  let session;
  try {
    session = await currentSession();
  } catch {
    // offline start from the cached shell: wait for the network
    replace(root, h('main', { class: 'auth' }, notice(t('conn.offlineStart'), 'warn')));
    window.addEventListener('online', boot, { once: true });
    return;
  }
  if (!session) showLogin();
  else if (session.role !== 'expert') showWrongRole(session);
  else startApp(session);
}

onUnauthenticated(() => shell && signedOut());
onLocaleChange(() => {
  if (!shell) {
    authView(); // the login or sign-up screen, in the new language
    return;
  }
  shell = buildShell();
  replace(root, shell.el);
  mountScreen();
});
armAlerts();
if ('serviceWorker' in navigator) {
  navigator.serviceWorker.register('/app/sw.js', { scope: '/app/' }).catch(() => null);
}
boot();
