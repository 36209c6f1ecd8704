// The moderator console (/moderator): audit queue, disputes, vetting, sanctions, expert records.
import { h, replace } from '../lib/dom.js';
import { initLocale, onLocaleChange, registerMessages, t } from '../lib/i18n.js';
import { onUnauthenticated } from '../lib/api.js';
import { currentSession, loginScreen, logOut, wrongRoleScreen } from '../lib/auth.js';
import { languageSwitch, notice } from '../lib/ui.js';
import common from '../messages/common.js';
import moderatorMessages from '../messages/moderator.js';
import { applicationsScreen } from './applications.js';
import { disputesScreen } from './disputes.js';
import { expertScreen } from './expert.js';
import { connected, onLiveEvent, onLiveStatus, startLive, stopLive } from './live.js';
import { queueScreen } from './queue.js';
import { sanctionsScreen } from './sanctions.js';

registerMessages(common, moderatorMessages);
initLocale();
const root = document.getElementById('root');
const TABS = ['queue', 'disputes', 'applications', 'sanctions'];
const ROLES = ['moderator', 'platform_admin'];
let session = null;
let shell = null;
let current = null;

function route() {
  const [tab, ...rest] = (location.hash.replace(/^#/, '') || 'queue').split('/');
  if (tab === 'experts' && rest.length) return { tab, id: rest.join('/') };
  return { tab: TABS.includes(tab) ? tab : 'queue', id: rest.join('/') || null };
}

function buildShell() {
  const live = h('span', { class: 'live-dot', role: 'status', dataset: { testid: 'live' } });
  const nav = h('nav', { class: 'tabs', aria: { label: t('mod.nav') } });
  const screen = h('main', { id: 'screen', tabIndex: -1 });
  const logout = h('button', { type: 'button', class: 'secondary', on: { click: doLogout } }, t('auth.logout'));
  const who = h('span', { class: 'muted' }, session.display_name, ' · ', t(`role.${session.role}`));
  const el = h(
    'div',
    { class: 'dash mod' },
    h('header', { class: 'dash-top' }, h('div', { class: 'dash-title' }, h('strong', null, t('mod.title')), who), h('div', { class: 'dash-tools' }, live, languageSwitch(), logout)),
    nav,
    screen,
  );
  return { el, live, nav, screen };
}

function renderNav() {
  const { tab } = route();
  replace(shell.nav, TABS.map((name) => h('a', { href: `#${name}`, class: 'tab', aria: name === tab ? { current: 'page' } : undefined, dataset: { testid: `tab-${name}` } }, t(`mod.tab.${name}`))));
}

function renderLive(isLive) {
  if (!shell) return;
  shell.live.textContent = isLive ? t('mod.live') : t('mod.notLive');
  shell.live.className = `live-dot ${isLive ? 'is-live' : ''}`;
}

function mount() {
  current?.destroy?.();
  const { tab, id } = route();
  const screens = {
    queue: queueScreen,
    disputes: disputesScreen,
    applications: applicationsScreen,
    sanctions: (ctx) => sanctionsScreen({ ...ctx, expertId: id }),
    experts: (ctx) => expertScreen({ ...ctx, id }),
  };
  current = screens[tab]({ session });
  replace(shell.screen, current.el);
  renderNav();
}

let wired = false;
function startConsole(who) {
  session = who;
  shell = buildShell();
  replace(root, shell.el);
  mount();
  startLive();
  renderLive(false);
  if (wired) return;
  wired = true;
  onLiveStatus(renderLive);
  onLiveEvent((event, data) => current?.onEvent?.(event, data));
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

function wrongRole(who) {
  replace(root, wrongRoleScreen(who, { message: t('mod.wrongRole'), onLoggedOut: showLogin }));
}

function showLogin() {
  replace(root, loginScreen({
    title: t('mod.loginTitle'),
    subtitle: t('mod.loginSubtitle'),
    onLoggedIn: (who) => (ROLES.includes(who.role) ? startConsole(who) : wrongRole(who)),
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
  else if (!ROLES.includes(who.role)) wrongRole(who);
  else startConsole(who);
}

onUnauthenticated(() => shell && signedOut());
onLocaleChange(() => {
  if (!session) {
    boot();
    return;
  }
  current?.destroy?.();
  shell = buildShell();
  replace(root, shell.el);
  mount();
  renderLive(connected);
});
boot();
