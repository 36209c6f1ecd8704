// Small pieces shared by the screens: toasts, the language switch, form errors, busy buttons.
import { h, replace } from './dom.js';
import { LOCALES, getLocale, setLocale, t } from './i18n.js';
import { ApiError, flattenErrors } from './api.js';

let toastHost = null;
// A burst of events (answer sent, scored, a verdict) must not bury a phone screen: the oldest
// toasts give way to the newest.
const MAX_TOASTS = 3;

/** A short message at the bottom of the screen, announced to screen readers. */
export function toast(message, kind = 'info', ms = 4000) {
  if (!toastHost) {
    toastHost = h('div', { class: 'toasts', role: 'status', aria: { live: 'polite' } });
    document.body.append(toastHost);
  }
  const item = h('div', { class: ['toast', `toast-${kind}`] }, message);
  toastHost.append(item);
  while (toastHost.children.length > MAX_TOASTS) toastHost.firstElementChild.remove();
  setTimeout(() => item.remove(), ms);
}

/** A switch between English and 简体中文 (each named in its own language). */
export function languageSwitch() {
  const names = { en: 'English', 'zh-CN': '简体中文' };
  const select = h(
    'select',
    { class: 'lang-switch', aria: { label: t('common.language') }, on: { change: (e) => setLocale(e.target.value) } },
    LOCALES.map((code) => h('option', { value: code, selected: code === getLocale(), lang: code }, names[code])),
  );
  select.dataset.testid = 'lang-switch';
  return select;
}

/** Explain an error: a problem document's detail, or a generic message. */
export function errorText(error) {
  if (error instanceof ApiError) {
    if (error.status === 0 || !error.status) return t('common.error.network');
    if (error.status === 429) return t('common.error.rate');
    return error.problem.detail || error.problem.title || t('common.error.generic');
  }
  if (error && typeof error === 'object' && 'status' in error) return error.detail || error.title || t('common.error.generic');
  if (error instanceof TypeError) return t('common.error.network');
  return t('common.error.generic');
}

/** Show field messages of a 422 next to the inputs named like the fields; returns the rest. */
export function showFieldErrors(form, error) {
  for (const old of form.querySelectorAll('.field-error')) old.remove();
  for (const input of form.querySelectorAll('[aria-invalid]')) input.removeAttribute('aria-invalid');
  const problem = error instanceof ApiError ? error.problem : error;
  const fields = flattenErrors(problem?.errors || {});
  const rest = [];
  for (const [name, message] of Object.entries(fields)) {
    const input = form.querySelector(`[name="${CSS.escape(name)}"]`);
    if (!input) {
      rest.push(`${name}: ${message}`);
      continue;
    }
    const id = `${input.id || input.name}-error`;
    input.setAttribute('aria-invalid', 'true');
    input.setAttribute('aria-describedby', id);
    input.closest('label, .field')?.append(h('span', { class: 'field-error', id }, message));
  }
  return rest;
}

/** Run `work` with the button disabled and marked busy. */
export async function busy(button, work) {
  button.disabled = true;
  button.setAttribute('aria-busy', 'true');
  try {
    return await work();
  } finally {
    button.disabled = false;
    button.removeAttribute('aria-busy');
  }
}

/** A labelled form field: <label><span>Label</span><input ...></label>. */
export function field(label, input, hint) {
  return h('label', { class: 'field' }, h('span', { class: 'field-label' }, label), input, hint ? h('span', { class: 'hint' }, hint) : null);
}

/** An empty-state or notice paragraph. */
export function notice(text, kind = 'muted') {
  return h('p', { class: ['notice', `notice-${kind}`] }, text);
}

/** "Not available yet" for screens whose backend is still being built. */
export function notAvailable(what) {
  return h('div', { class: 'unavailable', dataset: { testid: 'not-available' } }, h('strong', null, t('common.notAvailable')), ' ', what ? h('span', null, what) : null);
}

/** A <section> with a heading. */
export function section(title, ...children) {
  return h('section', { class: 'panel' }, h('h2', null, title), ...children);
}

export function setBody(root, ...children) {
  replace(root, ...children);
}
