// Pieces the dashboard screens share.
import { h } from '../lib/dom.js';
import { t, tOr } from '../lib/i18n.js';

export function statusChip(status) {
  return h('span', { class: ['status', `status-${status}`] }, tOr(`status.${status}`, status));
}

export function eventName(event) {
  return tOr(`event.${event}`, event);
}

export function questionLink(id, text) {
  return h('a', { href: `#questions/${id}` }, text || t('q.open'));
}
