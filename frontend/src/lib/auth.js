// Logging in and out with the cookie session (POST/GET/DELETE /api/v1/auth/session).
import { h } from './dom.js';
import { t } from './i18n.js';
import { ApiError, del, get, post, setCsrfToken } from './api.js';
import { busy, errorText, field, languageSwitch, showFieldErrors } from './ui.js';

/** The logged-in person ({user_id, role, display_name, company_id, locale}) or null. */
export async function currentSession() {
  try {
    const who = await get('/auth/session');
    setCsrfToken(who.csrf_token);
    return who;
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return null;
    throw error;
  }
}

export async function logOut() {
  try {
    await del('/auth/session');
  } finally {
    setCsrfToken(null);
  }
}

/**
 * The login screen. `onLoggedIn(session)` runs after a successful login; `extra` is appended
 * under the form (the expert app puts its sign-up link there).
 */
export function loginScreen({ title, subtitle, onLoggedIn, extra }) {
  const email = h('input', { type: 'email', name: 'email', id: 'login-email', autocomplete: 'username', required: true, inputMode: 'email' });
  const password = h('input', { type: 'password', name: 'password', id: 'login-password', autocomplete: 'current-password', required: true });
  const message = h('p', { class: 'form-message', role: 'alert' });
  const submit = h('button', { type: 'submit', class: 'primary wide' }, t('auth.login'));
  const form = h(
    'form',
    {
      class: 'card auth-form',
      on: {
        submit: async (event) => {
          event.preventDefault();
          message.textContent = '';
          await busy(submit, async () => {
            try {
              const session = await post('/auth/session', { email: email.value, password: password.value });
              setCsrfToken(session.csrf_token);
              onLoggedIn(session);
            } catch (error) {
              const rest = showFieldErrors(form, error);
              message.textContent = error instanceof ApiError && error.status === 401 ? t('auth.wrong') : [errorText(error), ...rest].join(' ');
            }
          });
        },
      },
    },
    h('h1', null, title),
    subtitle ? h('p', { class: 'muted' }, subtitle) : null,
    field(t('auth.email'), email),
    field(t('auth.password'), password),
    message,
    submit,
  );
  return h('main', { class: 'auth' }, h('div', { class: 'auth-lang' }, languageSwitch()), form, extra || null);
}

/** Shown when someone with another role opens this face of the product. */
export function wrongRoleScreen(session, { message, onLoggedOut }) {
  const out = h('button', { type: 'button', class: 'secondary', on: { click: async () => { await logOut(); onLoggedOut(); } } }, t('auth.logout'));
  return h('main', { class: 'auth' }, h('div', { class: 'card' }, h('h1', null, t('auth.wrongRole.title')), h('p', null, message), h('p', { class: 'muted' }, t('auth.loggedInAs', { name: session.display_name, role: t(`role.${session.role}`) })), out));
}
