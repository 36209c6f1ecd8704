// Webhook settings (URL and signing secret) and the delivery log.
import { h, replace } from '../lib/dom.js';
import { ApiError, del, get, put, query } from '../lib/api.js';
import { fmtDateTime, t, tOr } from '../lib/i18n.js';
import { busy, errorText, field, notice, showFieldErrors, toast } from '../lib/ui.js';
import { eventName } from './common.js';

function randomSecret() {
  const bytes = crypto.getRandomValues(new Uint8Array(24));
  return [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
}

export function webhookScreen() {
  const current = h('div');
  const url = h('input', { type: 'url', name: 'url', id: 'webhook-url', required: true, placeholder: 'https://example.com/hooks/marketplace' });
  const secret = h('input', { type: 'text', name: 'secret', id: 'webhook-secret', required: true, autocomplete: 'off' });
  const generate = h('button', { type: 'button', class: 'secondary', on: { click: () => { secret.value = randomSecret(); } } }, t('hook.generate'));
  const save = h('button', { type: 'submit', class: 'primary' }, t('common.save'));
  const remove = h('button', { type: 'button', class: 'danger', hidden: true }, t('hook.delete'));
  const form = h('form', {
    class: 'card',
    on: {
      submit: (e) => {
        e.preventDefault();
        busy(save, async () => {
          try {
            render(await put('/webhook', { url: url.value, secret: secret.value }));
            secret.value = '';
            showFieldErrors(form, {});
            toast(t('hook.saved'), 'good');
          } catch (error) {
            const rest = showFieldErrors(form, error);
            toast([errorText(error), ...rest].join(' '), 'error');
          }
        });
      },
    },
  }, field(t('hook.url'), url), field(t('hook.secret'), secret, t('hook.secretHint')), h('div', { class: 'row' }, generate, save, remove));
  remove.addEventListener('click', () => {
    if (!window.confirm(t('hook.deleteConfirm'))) return;
    busy(remove, async () => {
      try {
        await del('/webhook');
        render(null);
      } catch (error) {
        toast(errorText(error), 'error');
      }
    });
  });

  const tbody = h('tbody');
  const more = h('button', { type: 'button', class: 'secondary', hidden: true, on: { click: () => loadDeliveries(true) } }, t('common.loadMore'));
  let lastId = null;
  const el = h(
    'div',
    { class: 'screen' },
    h('h1', null, t('hook.title')),
    h('p', { class: 'muted' }, t('hook.intro')),
    current,
    form,
    h('h2', null, t('hook.deliveries')),
    h('div', { class: 'table-wrap' }, h('table', { dataset: { testid: 'deliveries' } }, h('thead', null, h('tr', null, ['hook.when', 'hook.event', 'hook.status', 'hook.attempts', 'hook.response', ''].map((k) => h('th', { scope: 'col' }, k ? t(k) : '')))), tbody)),
    more,
  );

  function render(endpoint) {
    remove.hidden = !endpoint;
    if (endpoint) url.value = endpoint.url;
    replace(current, endpoint
      ? h('p', { class: 'card' }, t('hook.current', { url: endpoint.url }), ' ', h('span', { class: 'muted small block' }, t('hook.events', { events: endpoint.events.map(eventName).join(', ') }), ' · ', fmtDateTime(endpoint.updated_at)))
      : notice(t('hook.none')));
  }

  async function load() {
    try {
      render(await get('/webhook'));
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) render(null);
      else replace(current, notice(errorText(error), 'error'));
    }
  }

  async function loadDeliveries(next = false) {
    try {
      const items = await get(`/webhook/deliveries${query({ limit: 25, before: next ? lastId : null })}`);
      const rows = items.map((d) => h(
        'tr',
        null,
        h('td', { class: 'nowrap' }, fmtDateTime(d.created_at)),
        h('td', null, eventName(d.event)),
        h('td', null, h('span', { class: ['status', `delivery-${d.status}`] }, tOr(`hook.state.${d.status}`, d.status))),
        h('td', { class: 'num' }, String(d.attempts)),
        h('td', null, d.last_status_code ? String(d.last_status_code) : '', d.last_error ? h('span', { class: 'block small muted' }, d.last_error) : null),
        h('td', null, h('details', null, h('summary', null, t('hook.payload')), h('pre', null, JSON.stringify(d.payload, null, 2)))),
      ));
      if (next) tbody.append(...rows);
      else replace(tbody, rows.length ? rows : h('tr', null, h('td', { colSpan: 6 }, t('hook.noDeliveries'))));
      lastId = items.length ? items[items.length - 1].id : lastId;
      more.hidden = items.length < 25;
    } catch (error) {
      replace(tbody, h('tr', null, h('td', { colSpan: 6 }, errorText(error))));
    }
  }

  load();
  loadDeliveries();
  return { el };
}
