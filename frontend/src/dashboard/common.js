// Pieces the dashboard screens share.
import { h } from '../lib/dom.js';
import { t, tOr } from '../lib/i18n.js';

export function statusChip(status) {
  return h('span', { class: ['status', `status-${status}`] }, tOr(`status.${status}`, status));
}

/** Refresh at most once per `ms` however many events arrive (a busy queue emits a lot). */
export function throttled(fn, ms = 800) {
  let timer = null;
  let again = false;
  return () => {
    if (timer) {
      again = true;
      return;
    }
    fn();
    timer = setTimeout(() => {
      timer = null;
      if (again) {
        again = false;
        fn();
      }
    }, ms);
  };
}

export function eventName(event) {
  return tOr(`event.${event}`, event);
}

export function questionLink(id, text) {
  return h('a', { href: `#questions/${id}` }, text || t('q.open'));
}
