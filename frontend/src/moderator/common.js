// Pieces the console's screens share.
import { h } from '../lib/dom.js';
import { localized, t, tOr } from '../lib/i18n.js';

export const QUEUE_REASONS = ['complaint', 'low_rating', 'low_score', 'probation', 'gold', 'sample'];
export const REJECT_REASONS = ['wrong', 'incomplete', 'rude', 'off_brand', 'personal_data', 'copied', 'spam'];
export const SANCTION_KINDS = ['warn', 'suspend', 'remove_from_pool', 'ban'];

/** Server text in both languages, as {reason, reason_zh}: the one for the UI language. */
export function bilingual(en, zh) {
  return localized({ en, zh });
}

export function reasonChip(reason) {
  return h('span', { class: ['chip', `reason-${reason}`], dataset: { reason } }, tOr(`mod.reason.${reason}`, reason));
}

export function expertLink(id, text) {
  return h('a', { href: `#experts/${id}`, dataset: { testid: 'expert-link' } }, text || t('mod.expert.open'));
}

/** A key press meant for the console, not typed into a field. */
export function isTyping(event) {
  const target = event.target;
  return target instanceof HTMLElement && (target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName));
}
