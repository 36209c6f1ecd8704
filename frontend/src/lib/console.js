// The frame the company dashboard and the moderator console share: log-in with a role check,
// a header with the live dot, tabs routed by location.hash, one mounted screen at a time, the
// live socket while someone is logged in, and a rebuild when the language changes.
import { h, replace } from './dom.js';
import { onLocaleChange, t } from './i18n.js';
import { onUnauthenticated } from './api.js';
import { currentSession, loginScreen, logOut, wrongRoleScreen } from './auth.js';
import { languageSwitch, notice } from './ui.js';

/**
 * runConsole({...}) boots the page. Options:
 * - prefix: message keys are `${prefix}.title`, `.nav`, `.live`, `.notLive`, `.wrongRole`,
 *   `.loginTitle`, `.loginSubtitle` and `.tab.<name>`;
 * - tabs: the tab names, the first one the default; screens: {name: (context, id) => screen}
 *   for every tab, plus routes reached only with an id (#experts/<id>); a screen is {el,
 *   destroy?, onEvent?(event, data)} and hears every live event while it is mounted;
 * - roles: who may use the page; live: a createLive() namespace;
 * - className, title(session) and tools(session): the header's class, what follows the title
 *   and what stands before the language switch; context(session): what screens get;
 * - onShell(): after each header is built (to fill it); onEvent(event, data): every live event.
 */
export function runConsole(options) {
  const { prefix, tabs, screens, roles, live } = options;
  const root = document.getElementById('root');
  let session = null;
  let shell = null;
  let current = null;

  function route() {
    const [tab, ...rest] = (location.hash.replace(/^#/, '') || tabs[0]).split('/');
    const id = rest.join('/') || null;
    if (tabs.includes(tab) || (screens[tab] && id)) return { tab, id };
    return { tab: tabs[0], id: null };
  }

  function buildShell() {
    const liveDot = h('span', { class: 'live-dot', role: 'status', dataset: { testid: 'live' } });
    const nav = h('nav', { class: 'tabs', aria: { label: t(`${prefix}.nav`) } });
    const screen = h('main', { id: 'screen', tabIndex: -1 });
    const logout = h('button', { type: 'button', class: 'secondary', on: { click: doLogout } }, t('auth.logout'));
    const el = h(
      'div',
      { class: options.className },
      h('header', { class: 'dash-top' },
        h('div', { class: 'dash-title' }, h('strong', null, t(`${prefix}.title`)), options.title(session)),
        h('div', { class: 'dash-tools' }, liveDot, options.tools?.(session), languageSwitch(), logout)),
      nav,
      screen,
    );
    return { el, liveDot, nav, screen };
  }

  function renderNav() {
    const { tab } = route();
    replace(shell.nav, tabs.map((name) => h('a', { href: `#${name}`, class: 'tab', aria: name === tab ? { current: 'page' } : undefined, dataset: { testid: `tab-${name}` } }, t(`${prefix}.tab.${name}`))));
  }

  function renderLive(isLive) {
    if (!shell) return;
    shell.liveDot.textContent = isLive ? t(`${prefix}.live`) : t(`${prefix}.notLive`);
    shell.liveDot.className = `live-dot ${isLive ? 'is-live' : ''}`;
  }

  function mount() {
    current?.destroy?.();
    const { tab, id } = route();
    current = screens[tab](options.context(session), id);
    replace(shell.screen, current.el);
    renderNav();
  }

  function showShell() {
    shell = buildShell();
    replace(root, shell.el);
    mount();
    options.onShell?.();
    renderLive(live.isConnected());
  }

  let wired = false;
  function start(who) {
    session = who;
    showShell();
    live.start();
    if (wired) return;
    wired = true;
    live.onStatus(renderLive);
    live.onEvent((event, data) => {
      if (!shell) return;
      current?.onEvent?.(event, data);
      options.onEvent?.(event, data);
    });
    window.addEventListener('hashchange', () => {
      if (!shell) return;
      mount();
      shell.screen.focus({ preventScroll: true });
    });
  }

  function signedOut() {
    live.stop();
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
    replace(root, wrongRoleScreen(who, { message: t(`${prefix}.wrongRole`), onLoggedOut: showLogin }));
  }

  function showLogin() {
    replace(root, loginScreen({
      title: t(`${prefix}.loginTitle`),
      subtitle: t(`${prefix}.loginSubtitle`),
      onLoggedIn: (who) => (roles.includes(who.role) ? start(who) : wrongRole(who)),
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
    else if (!roles.includes(who.role)) wrongRole(who);
    else start(who);
  }

  onUnauthenticated(() => shell && signedOut());
  onLocaleChange(() => (session ? showShell() : boot()));
  boot();
  return { isSignedIn: () => shell !== null };
}
