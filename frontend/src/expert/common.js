// Pieces the expert screens share: chips for a question, money, countdowns.
import { h } from '../lib/dom.js';
import { fmtClock, fmtMoney, languageName, t } from '../lib/i18n.js';
import { secondsUntil } from './state.js';

export function questionChips(question) {
  return h(
    'ul',
    { class: 'chips', aria: { label: t('question.about') } },
    h('li', { class: 'chip' }, t(`channel.${question.channel}`)),
    h('li', { class: 'chip' }, languageName(question.language)),
    question.priority >= 7 ? h('li', { class: 'chip chip-urgent' }, t('question.urgent')) : null,
    (question.tags || []).map((tag) => h('li', { class: 'chip chip-tag' }, `#${tag}`)),
  );
}

export function reward(question) {
  return h('span', { class: 'reward', aria: { label: t('question.reward') } }, fmtMoney(question.reward.amount, question.reward.currency));
}

/** A countdown the app's ticker keeps current: progress bar plus 'm:ss left'. */
export function countdown(untilIso, totalSeconds, label) {
  const until = Date.parse(untilIso);
  const bar = h('progress', { max: Math.max(1, totalSeconds), value: Math.max(0, secondsUntil(until)), aria: { hidden: 'true' } });
  const text = h('span', { class: 'countdown-text' });
  const el = h('div', { class: 'countdown', dataset: { until: String(until), label } }, bar, text);
  updateCountdown(el);
  return el;
}

export function updateCountdown(el) {
  const left = secondsUntil(Number(el.dataset.until));
  const bar = el.querySelector('progress');
  if (bar) bar.value = Math.max(0, left);
  el.querySelector('.countdown-text').textContent = left > 0 ? t(el.dataset.label, { time: fmtClock(left) }) : t('countdown.over');
  el.classList.toggle('countdown-low', left < 10);
  el.classList.toggle('countdown-over', left <= 0);
}

/** Update every countdown on the page (called by the ticker). */
export function tickCountdowns(root = document) {
  for (const el of root.querySelectorAll('.countdown')) updateCountdown(el);
}
