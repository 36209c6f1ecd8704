// Me: reputation and tier, per-answer feedback with the scoring reasons, pools (in, open to
// apply, qualification test), language and logout.
import { h, replace } from '../lib/dom.js';
import { get, isMissingEndpoint, post, query } from '../lib/api.js';
import { fmtDateTime, fmtPercent, languageName, localized, t, tOr } from '../lib/i18n.js';
import { busy, errorText, languageSwitch, notAvailable, notice, section, toast } from '../lib/ui.js';
import { state } from './state.js';

export function meScreen({ onLogout }) {
  const profile = h('div', null, notice(t('common.loading')));
  const answers = h('div', { class: 'answers' });
  const pools = h('div', { class: 'pools' });
  const logout = h('button', { type: 'button', class: 'secondary', on: { click: onLogout } }, t('auth.logout'));
  const el = h(
    'div',
    { class: 'screen' },
    h('h1', null, t('me.title')),
    profile,
    section(t('answers.title'), answers),
    section(t('pools.title'), pools),
    section(t('me.settings'), h('div', { class: 'settings-row' }, h('span', null, t('common.language')), languageSwitch()), logout),
  );
  let cursor = null;

  async function loadProfile() {
    try {
      const me = await get('/expert/profile');
      replace(profile, profileCard(me));
    } catch (error) {
      replace(profile, isMissingEndpoint(error) ? notAvailable() : notice(errorText(error), 'error'));
    }
  }

  async function loadAnswers(more = false) {
    try {
      const page = await get(`/expert/answers${query({ limit: 10, cursor: more ? cursor : null })}`);
      cursor = page.next_cursor;
      if (more) answers.querySelector('.load-more')?.remove();
      else replace(answers);
      answers.append(...page.items.map(answerItem));
      if (!more && !page.items.length) answers.append(notice(t('answers.none')));
      if (cursor) answers.append(h('button', { type: 'button', class: 'secondary load-more', on: { click: () => loadAnswers(true) } }, t('common.loadMore')));
    } catch (error) {
      replace(answers, notice(errorText(error), 'error'));
    }
  }

  async function loadPools() {
    try {
      const data = await get('/expert/pools');
      state.notInAnyPool = !data.memberships.some((m) => m.status === 'approved');
      replace(pools, poolsView(data, loadPools));
    } catch (error) {
      replace(pools, notice(errorText(error), 'error'));
    }
  }

  loadProfile();
  loadAnswers();
  loadPools();
  return { el, update: (what) => what === 'answers' && loadAnswers() };
}

function profileCard(me) {
  return h(
    'div',
    { class: 'card profile' },
    h('div', { class: 'profile-head' }, h('h2', null, me.display_name), h('span', { class: ['tier', `tier-${me.tier}`] }, tOr(`tier.${me.tier}`, me.tier))),
    h('p', { class: 'muted small' }, me.email),
    h(
      'dl',
      { class: 'facts' },
      h('dt', null, t('me.reputation')),
      h('dd', null, fmtPercent(me.reputation_mean), ' ', h('span', { class: 'muted small' }, t('me.lowerBound', { value: fmtPercent(me.reputation_lower) }))),
      h('dt', null, t('me.answers')),
      h('dd', null, String(me.answers)),
      h('dt', null, t('me.capacity')),
      h('dd', null, t('me.capacityValue', { n: me.capacity })),
      h('dt', null, t('me.languages')),
      h('dd', null, me.languages.map(languageName).join(', ')),
      h('dt', null, t('me.skills')),
      h('dd', null, me.skills.length ? me.skills.map((s) => `${s.tag} ${'★'.repeat(s.level)}`).join(' · ') : '–'),
    ),
  );
}

function answerItem(answer) {
  const scored = typeof answer.score === 'number';
  return h(
    'details',
    { class: 'card answer-item', dataset: { testid: 'my-answer' } },
    h(
      'summary',
      null,
      h('span', { class: 'answer-subject' }, answer.subject),
      h('span', { class: ['score', scored ? scoreClass(answer.score) : 'score-pending'] }, scored ? t('answers.score', { score: Math.round(answer.score * 100) }) : t('answers.notScored')),
      h('span', { class: 'small muted block' }, fmtDateTime(answer.submitted_at), ' · ', tOr(`answers.status.${answer.status}`, answer.status)),
    ),
    h('p', { class: 'answer-body' }, answer.body),
    answer.feedback ? h('p', { class: 'feedback' }, t('answers.customer', { rating: '★'.repeat(answer.feedback.rating) + '☆'.repeat(5 - answer.feedback.rating) }), answer.feedback.resolved === true ? ` · ${t('answers.resolved')}` : answer.feedback.resolved === false ? ` · ${t('answers.unresolved')}` : '') : null,
    verdictView(answer),
    signalsList(answer.signals),
  );
}

/** A moderator's verdict with its reasons in the UI language; a rejection can be appealed once. */
function verdictView(answer) {
  const verdict = answer.verdict;
  if (!verdict) return null;
  const rejected = verdict.verdict === 'reject';
  const appeal = h('div', { class: 'appeal' });
  const showAppeal = () => {
    if (answer.appeal) {
      replace(appeal, h('p', { class: 'small', dataset: { testid: 'appeal-status' } }, t(`verdict.appeal.${answer.appeal}`)));
      return;
    }
    if (!rejected) return;
    const note = h('textarea', { name: 'note', rows: 3, maxLength: 2000, dataset: { testid: 'appeal-note' } });
    const send = h('button', { type: 'submit', class: 'secondary' }, t('verdict.appeal.send'));
    replace(appeal, h('details', null, h('summary', null, t('verdict.appeal.title')), h('form', {
      on: {
        submit: (e) => {
          e.preventDefault();
          busy(send, async () => {
            try {
              await post(`/expert/answers/${answer.id}/appeal`, { note: note.value.trim() });
              answer.appeal = 'open';
              toast(t('verdict.appeal.sent'), 'good');
              showAppeal();
            } catch (error) {
              toast(errorText(error), 'error');
            }
          });
        },
      },
    }, h('label', { class: 'field' }, h('span', { class: 'field-label' }, t('verdict.appeal.note')), note), send)));
  };
  showAppeal();
  return h(
    'div',
    { class: ['verdict', rejected ? 'verdict-rejected' : 'verdict-approved'], dataset: { testid: 'verdict', verdict: verdict.verdict } },
    h('strong', null, t(`verdict.${verdict.verdict}`)),
    ' ',
    h('span', { class: 'muted small' }, fmtDateTime(verdict.at)),
    verdict.reasons.length ? h('ul', { class: 'verdict-reasons' }, verdict.reasons.map((r) => h('li', { dataset: { code: r.code } }, localized({ en: r.reason, zh: r.reason_zh })))) : null,
    verdict.note ? h('p', { class: 'small text' }, t('verdict.note'), ' ', verdict.note) : null,
    appeal,
  );
}

const scoreClass = (score) => (score >= 0.75 ? 'score-good' : score >= 0.5 ? 'score-ok' : 'score-low');

/** Scoring signals with reasons in the UI language; tolerant of the shapes issue 4 may send. */
export function signalsList(signals) {
  const items = normaliseSignals(signals);
  if (!items.length) return h('p', { class: 'muted small' }, t('answers.noSignals'));
  return h(
    'ul',
    { class: 'signals', aria: { label: t('answers.signals') } },
    items.map((s) => h(
      'li',
      { class: s.passed === false ? 'signal-bad' : s.passed === true ? 'signal-good' : '' },
      h('strong', null, s.name),
      s.value !== undefined && s.value !== null ? ` ${typeof s.value === 'number' ? Math.round(s.value * 100) / 100 : String(s.value)}` : '',
      s.reason ? h('span', { class: 'block small' }, s.reason) : null,
    )),
  );
}

function normaliseSignals(signals) {
  let list = signals;
  if (list && !Array.isArray(list) && typeof list === 'object') {
    list = Array.isArray(list.signals) ? list.signals : Array.isArray(list.checks) ? list.checks : Object.entries(list).map(([name, value]) => (value && typeof value === 'object' ? { name, ...value } : { name, value }));
  }
  if (!Array.isArray(list)) return [];
  return list.map((s) => ({
    name: localized(s.label) || s.code || s.name || s.signal || '',
    passed: s.passed ?? s.ok,
    value: s.value ?? s.score,
    reason: localized(s.reason ?? s.reasons ?? s.message ?? (s.reason_en || s.reason_zh ? { en: s.reason_en, zh: s.reason_zh } : null)),
  }));
}

function poolsView(data, reload) {
  const member = data.memberships.map((m) => h(
    'div',
    { class: 'card pool' },
    h('div', { class: 'pool-head' }, h('strong', null, m.pool), h('span', { class: ['chip', `status-${m.status}`] }, tOr(`membership.${m.status}`, m.status))),
    h('p', { class: 'small muted' }, `${m.company} · ${m.brand}`),
    m.status === 'approved'
      ? h('p', { class: 'small' }, tOr(`tier.${m.tier}`, m.tier), ' · ', t('me.reputation'), ' ', fmtPercent(m.reputation_mean))
      : null,
    ['applied', 'testing'].includes(m.status) ? testButton(m) : null,
  ));
  const open = data.open.map((p) => h(
    'div',
    { class: 'card pool' },
    h('div', { class: 'pool-head' }, h('strong', null, p.pool)),
    h('p', { class: 'small muted' }, `${p.company} · ${p.brand}`),
    applyButton(p, reload),
  ));
  return [
    h('h3', null, t('pools.mine')),
    member.length ? member : notice(t('pools.noneYet')),
    h('h3', null, t('pools.open')),
    open.length ? open : notice(t('pools.noneOpen')),
  ];
}

// Applying and the qualification test belong to vetting (issue 6); these calls are the
// assumed endpoints, and a missing route shows "not available yet".
function applyButton(pool, reload) {
  const out = h('p', { class: 'hint', role: 'status' });
  const button = h('button', { type: 'button', class: 'secondary' }, t('pools.apply'));
  button.addEventListener('click', () => busy(button, async () => {
    try {
      await post(`/expert/pools/${pool.pool_id}/apply`, {});
      toast(t('pools.applied'), 'good');
      reload();
    } catch (error) {
      const missing = isMissingEndpoint(error);
      out.className = missing ? 'hint' : 'form-message';
      out.textContent = missing ? `${t('common.notAvailable')} ${t('pools.applySoon')}` : errorText(error);
    }
  }));
  return h('div', null, button, out);
}

function testButton(membership) {
  const host = h('div', { class: 'qualification' });
  const button = h('button', { type: 'button', class: 'primary' }, t('pools.takeTest'));
  button.addEventListener('click', () => busy(button, async () => {
    try {
      const test = await get(`/expert/pools/${membership.pool_id}/test`);
      replace(host, qualificationForm(membership, test));
    } catch (error) {
      replace(host, isMissingEndpoint(error) ? notAvailable(t('pools.testSoon')) : notice(errorText(error), 'error'));
    }
  }));
  return h('div', null, button, host);
}

function qualificationForm(membership, test) {
  // The API returns the test's questions as a list ({id, subject, body, language}).
  const questions = Array.isArray(test) ? test : test.questions || [];
  const inputs = questions.map((q, i) => {
    const name = `q-${q.id ?? i}`;
    const control = Array.isArray(q.choices) && q.choices.length
      ? h('div', { role: 'radiogroup' }, q.choices.map((choice, j) => h('label', { class: 'choice' }, h('input', { type: 'radio', name, value: String(choice.id ?? j) }), ' ', localized(choice.label ?? choice))))
      : h('textarea', { name, rows: 4 });
    return { q, name, control };
  });
  const message = h('p', { class: 'form-message', role: 'alert' });
  const form = h('form', {
    class: 'card',
    on: {
      submit: async (event) => {
        event.preventDefault();
        const answersById = {};
        for (const { q, name } of inputs) {
          const data = new FormData(form);
          answersById[q.id] = data.get(name);
        }
        try {
          const result = await post(`/expert/pools/${membership.pool_id}/test`, { answers: answersById });
          message.textContent = localized(result.message) || t('pools.testSent');
        } catch (error) {
          message.textContent = errorText(error);
        }
      },
    },
  }, h('h3', null, localized(test.title) || t('pools.takeTest')), inputs.map(({ q, control }) => h('fieldset', null, h('legend', null, localized(q.prompt ?? q.subject ?? q.text)), q.body ? h('p', { class: 'muted' }, q.body) : null, control)), message, h('button', { type: 'submit', class: 'primary' }, t('common.send')));
  return form;
}
