// API keys: list (never the secret), create (the secret is shown once), revoke.
import { h, replace } from '../lib/dom.js';
import { del, get, post } from '../lib/api.js';
import { fmtDateTime, fmtRelative, t } from '../lib/i18n.js';
import { busy, errorText, field, notice, showFieldErrors, toast } from '../lib/ui.js';

export function keysScreen() {
  const tbody = h('tbody');
  const secretBox = h('div', { role: 'status', aria: { live: 'polite' } });
  const name = h('input', { type: 'text', name: 'name', id: 'key-name', maxLength: 80, required: true, placeholder: 'crm-export' });
  const submit = h('button', { type: 'submit', class: 'primary' }, t('keys.create'));
  const form = h('form', {
    class: 'card inline-form',
    on: {
      submit: (e) => {
        e.preventDefault();
        busy(submit, async () => {
          try {
            const issued = await post('/keys', { name: name.value });
            name.value = '';
            showFieldErrors(form, {});
            showSecret(issued);
            load();
          } catch (error) {
            const rest = showFieldErrors(form, error);
            toast([errorText(error), ...rest].join(' '), 'error');
          }
        });
      },
    },
  }, field(t('keys.name'), name), submit);
  const el = h(
    'div',
    { class: 'screen' },
    h('h1', null, t('keys.title')),
    h('p', { class: 'muted' }, t('keys.intro')),
    form,
    secretBox,
    h('div', { class: 'table-wrap' }, h('table', { dataset: { testid: 'keys-table' } }, h('thead', null, h('tr', null, ['keys.name', 'keys.prefix', 'keys.created', 'keys.lastUsed', 'keys.state', ''].map((k) => h('th', { scope: 'col' }, k ? t(k) : '')))), tbody)),
  );

  function showSecret(issued) {
    const code = h('code', { class: 'secret', dataset: { testid: 'new-secret' } }, issued.secret);
    const copy = h('button', { type: 'button', class: 'secondary', on: { click: async () => { try { await navigator.clipboard.writeText(issued.secret); toast(t('keys.copied'), 'good'); } catch { toast(t('keys.copyFailed'), 'warn'); } } } }, t('keys.copy'));
    const done = h('button', { type: 'button', class: 'link', on: { click: () => replace(secretBox) } }, t('keys.stored'));
    replace(secretBox, h('div', { class: 'card secret-card' }, h('h2', null, t('keys.newTitle', { name: issued.name })), h('p', null, t('keys.showOnce')), h('p', null, code), h('div', { class: 'row' }, copy, done)));
  }

  async function load() {
    try {
      const keys = await get('/keys');
      replace(tbody, keys.length ? keys.map(row) : h('tr', null, h('td', { colSpan: 6 }, t('keys.none'))));
    } catch (error) {
      replace(tbody, h('tr', null, h('td', null, notice(errorText(error), 'error'))));
    }
  }

  function row(key) {
    const revoke = key.revoked_at
      ? null
      : h('button', {
        type: 'button',
        class: 'danger',
        on: {
          click: (e) => {
            if (!window.confirm(t('keys.revokeConfirm', { name: key.name }))) return;
            busy(e.currentTarget, async () => {
              try {
                await del(`/keys/${key.id}`);
                toast(t('keys.revoked'), 'good');
                load();
              } catch (error) {
                toast(errorText(error), 'error');
              }
            });
          },
        },
      }, t('keys.revoke'));
    return h(
      'tr',
      { dataset: { id: key.id } },
      h('td', null, key.name),
      h('td', null, h('code', null, key.prefix)),
      h('td', null, fmtDateTime(key.created_at)),
      h('td', null, key.last_used_at ? fmtRelative(key.last_used_at) : t('keys.never')),
      h('td', null, key.revoked_at ? h('span', { class: 'status status-cancelled' }, t('keys.revokedAt', { time: fmtDateTime(key.revoked_at) })) : h('span', { class: 'status status-answered' }, t('keys.active'))),
      h('td', null, revoke),
    );
  }

  load();
  return { el };
}
