// My assignments with their deadlines, and the answer composer (character counter,
// knowledge-base suggestions when the server has them, drafts kept on the phone).
import { h, replace } from '../lib/dom.js';
import { get, isMissingEndpoint } from '../lib/api.js';
import { fmtDateTime, fmtNumber, localized, t } from '../lib/i18n.js';
import { busy, errorText, notice, showFieldErrors, toast } from '../lib/ui.js';
import { submitAnswer } from './connection.js';
import { countdown, questionChips, reward } from './common.js';
import { state } from './state.js';

// The server's ANSWER_MAX_CHARS default; it checks again after stripping HTML.
export const ANSWER_MAX_CHARS = 5000;
const DRAFT_PREFIX = 'marketplace.draft.';

export function workScreen({ go }) {
  const list = h('div', { class: 'assignments' });
  const el = h('div', { class: 'screen' }, h('h1', null, t('work.title')), list);
  function render() {
    const items = [...state.assignments.values()].sort((a, b) => Date.parse(a.deadline) - Date.parse(b.deadline));
    if (!items.length) {
      replace(list, notice(t('work.empty')));
      return;
    }
    replace(list, items.map((assignment) => assignmentCard(assignment, go)));
  }
  render();
  return { el, update: (what) => what === 'assignments' && render() };
}

function assignmentCard(assignment, go) {
  const q = assignment.question;
  const total = (Date.parse(assignment.deadline) - Date.parse(assignment.created_at)) / 1000;
  return h(
    'article',
    { class: 'card assignment-card', dataset: { testid: 'assignment-card' } },
    h('div', { class: 'offer-top' }, reward(q), h('span', { class: 'muted small' }, t('work.due', { time: fmtDateTime(assignment.deadline) }))),
    h('h2', { class: 'question-subject' }, q.subject),
    questionChips(q),
    countdown(assignment.deadline, total, 'work.left'),
    h('div', { class: 'actions' }, h('button', { type: 'button', class: 'primary big', on: { click: () => go(`work/${assignment.id}`) } }, t('work.answer'))),
  );
}

function loadDraft(id) {
  try {
    const draft = JSON.parse(localStorage.getItem(DRAFT_PREFIX + id) || 'null');
    if (draft && typeof draft.body === 'string' && typeof draft.key === 'string') return draft;
  } catch {
    // a damaged draft starts over
  }
  return { body: '', key: crypto.randomUUID() };
}

function saveDraft(id, draft) {
  try {
    localStorage.setItem(DRAFT_PREFIX + id, JSON.stringify(draft));
  } catch {
    // storage full or disabled: the answer still goes out, only the draft is not kept
  }
}

const charCount = (text) => [...text].length;

export function composerScreen({ go, assignmentId }) {
  const assignment = state.assignments.get(assignmentId);
  const back = h('a', { href: '#work', class: 'back' }, `← ${t('work.title')}`);
  if (!assignment) {
    return { el: h('div', { class: 'screen' }, back, notice(t('composer.gone'), 'warn')), update() {} };
  }
  const q = assignment.question;
  const draft = loadDraft(assignmentId);
  const textarea = h('textarea', { name: 'body', id: 'answer-body', rows: 8, value: draft.body, dataset: { testid: 'answer-body' } });
  const counter = h('span', { class: 'counter', aria: { live: 'polite' }, dataset: { testid: 'counter' } });
  const submit = h('button', { type: 'submit', class: 'primary wide big', dataset: { testid: 'send-answer' } }, t('composer.send'));
  const message = h('p', { class: 'form-message', role: 'alert' });
  const closed = h('p', { class: 'notice notice-warn', hidden: true, role: 'alert' }, t('composer.closed'));
  const suggestions = h('section', { class: 'suggestions', hidden: true, aria: { label: t('composer.suggestions') } });

  function refreshCounter() {
    const n = charCount(textarea.value);
    counter.textContent = t('composer.count', { n: fmtNumber(n), max: fmtNumber(ANSWER_MAX_CHARS) });
    counter.classList.toggle('over', n > ANSWER_MAX_CHARS);
    submit.disabled = !textarea.value.trim() || n > ANSWER_MAX_CHARS || !state.assignments.has(assignmentId);
  }
  textarea.addEventListener('input', () => {
    draft.body = textarea.value;
    saveDraft(assignmentId, draft);
    refreshCounter();
  });

  const form = h(
    'form',
    {
      class: 'composer',
      on: {
        submit: (event) => {
          event.preventDefault();
          message.textContent = '';
          busy(submit, async () => {
            try {
              await submitAnswer(assignmentId, textarea.value, draft.key);
              localStorage.removeItem(DRAFT_PREFIX + assignmentId);
              toast(t('composer.sent'), 'good');
              go('work');
            } catch (error) {
              const rest = showFieldErrors(form, error);
              message.textContent = [errorText(error), ...rest].join(' ');
            }
          }).then(refreshCounter);
        },
      },
    },
    h('label', { class: 'field', htmlFor: 'answer-body' }, h('span', { class: 'field-label' }, t('composer.label')), textarea),
    h('div', { class: 'composer-meta' }, counter, h('span', { class: 'hint' }, t('composer.plain'))),
    message,
    submit,
  );

  const el = h(
    'div',
    { class: 'screen screen-composer' },
    back,
    h(
      'article',
      { class: 'card question-card' },
      h('div', { class: 'offer-top' }, reward(q)),
      h('h1', { class: 'question-subject' }, q.subject),
      h('p', { class: 'question-body' }, q.body),
      questionChips(q),
      countdown(assignment.deadline, (Date.parse(assignment.deadline) - Date.parse(assignment.created_at)) / 1000, 'work.left'),
    ),
    suggestions,
    closed,
    form,
  );
  refreshCounter();
  loadSuggestions(assignmentId, suggestions, (text) => {
    textarea.value = textarea.value ? `${textarea.value}\n\n${text}` : text;
    textarea.dispatchEvent(new Event('input'));
    textarea.focus();
  });
  return {
    el,
    update(what) {
      if (what !== 'assignments') return;
      const open = state.assignments.has(assignmentId);
      closed.hidden = open || state.answered.has(assignmentId);
      refreshCounter();
    },
  };
}

/** Suggested knowledge-base answers: shown only when the server offers them. */
async function loadSuggestions(assignmentId, host, use) {
  let data;
  try {
    data = await get(`/expert/assignments/${assignmentId}/suggestions`);
  } catch (error) {
    if (!isMissingEndpoint(error)) replace(host, notice(errorText(error)));
    host.hidden = isMissingEndpoint(error);
    return;
  }
  const items = Array.isArray(data) ? data : data?.items || [];
  host.hidden = false;
  replace(
    host,
    h('h2', null, t('composer.suggestions')),
    items.length
      ? items.map((item) => h(
        'div',
        { class: 'suggestion' },
        item.title ? h('h3', null, localized(item.title)) : null,
        h('p', null, localized(item.body ?? item.text)),
        h('button', { type: 'button', class: 'secondary', on: { click: () => use(localized(item.body ?? item.text)) } }, t('composer.useSuggestion')),
      ))
      : notice(t('composer.noSuggestions')),
  );
}
