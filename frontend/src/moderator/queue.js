// The audit queue: filters (pool, reason), one claimed answer at a time beside its question,
// its automatic checks with their reasons, the customer's feedback and the expert's history;
// verdicts with reasons and an edit box; keyboard shortcuts; live over /moderator.
import { h, replace } from '../lib/dom.js';
import { get, post, query, serverNow } from '../lib/api.js';
import { fmtClock, fmtDateTime, fmtNumber, fmtPercent, fmtRelative, languageName, t, tOr } from '../lib/i18n.js';
import { busy, errorText, field, notice, showFieldErrors, toast } from '../lib/ui.js';
import { throttled } from '../lib/throttle.js';
import { bilingual, expertLink, isTyping, QUEUE_REASONS, reasonChip, REJECT_REASONS } from './common.js';
import { onRestored, restored } from './live.js';

// Kept across re-renders (a language switch remounts the screen): the filters and the item held.
const memory = { pool: '', reason: '', heldItem: null };
let pools = null; // [{id, name, slug, brand}] once loaded

export function queueScreen() {
  const poolSelect = h('select', { name: 'pool', dataset: { testid: 'filter-pool' }, on: { change: () => { memory.pool = poolSelect.value; loadList(); } } }, h('option', { value: '' }, t('mod.filter.allPools')));
  const reasonSelect = h(
    'select',
    { name: 'reason', dataset: { testid: 'filter-reason' }, on: { change: () => { memory.reason = reasonSelect.value; loadList(); } } },
    h('option', { value: '' }, t('mod.filter.allReasons')),
    QUEUE_REASONS.map((r) => h('option', { value: r, selected: r === memory.reason }, t(`mod.reason.${r}`))),
  );
  const list = h('ol', { class: 'queue-list', dataset: { testid: 'queue-list' }, aria: { label: t('mod.queue.title') } });
  const count = h('span', { class: 'muted small', dataset: { testid: 'queue-count' } });
  const claimNext = h('button', { type: 'button', class: 'primary', dataset: { testid: 'claim-next' }, on: { click: () => claimFirst() } }, t('mod.queue.claimNext'));
  const panel = h('section', { class: 'item-panel', dataset: { testid: 'item-panel' }, aria: { live: 'polite' } });
  const el = h(
    'div',
    { class: 'screen queue-screen' },
    h('div', { class: 'row-between' }, h('h1', null, t('mod.queue.title')), shortcutsLegend()),
    h('div', { class: 'filters' }, field(t('mod.filter.pool'), poolSelect), field(t('mod.filter.reason'), reasonSelect), claimNext, count),
    h('div', { class: 'queue-layout' }, h('div', { class: 'queue-column' }, list), panel),
  );
  let items = [];
  let selected = 0;
  let held = null; // {item, detail}
  let verdictMode = null; // null | 'edit' | 'reject'
  let timer = null;
  let alive = true;

  async function loadPools() {
    try {
      pools ??= await get('/moderation/pools');
      replace(poolSelect, h('option', { value: '' }, t('mod.filter.allPools')), pools.map((p) => h('option', { value: p.id, selected: p.id === memory.pool }, p.name)));
    } catch {
      pools = null;
    }
  }

  async function loadList() {
    try {
      const page = await get(`/moderation/queue${query({ pool_id: memory.pool, reason: memory.reason, limit: 100 })}`);
      if (!alive) return;
      items = page.items.filter((i) => i.id !== held?.item.id);
      selected = Math.min(selected, Math.max(items.length - 1, 0));
      renderList();
    } catch (error) {
      replace(list, h('li', null, notice(errorText(error), 'error')));
    }
  }
  const reload = throttled(loadList, 400);

  function poolName(id) {
    return pools?.find((p) => p.id === id)?.name || '';
  }

  function renderList() {
    count.textContent = t('mod.queue.count', { n: fmtNumber(items.length) });
    if (!items.length) {
      replace(list, h('li', { class: 'empty' }, notice(t('mod.queue.empty'))));
      return;
    }
    replace(list, items.map((item, index) => h(
      'li',
      { class: ['queue-item', index === selected ? 'is-selected' : ''], dataset: { testid: 'queue-item', itemId: item.id, answerId: item.answer_id }, aria: index === selected ? { current: 'true' } : undefined },
      h('div', { class: 'row-between' },
        h('span', null, item.reasons.map(reasonChip), item.mandatory ? h('span', { class: 'chip chip-urgent' }, t('mod.item.mandatory')) : null),
        h('span', { class: 'muted small' }, t('mod.item.priority', { n: item.priority }))),
      h('div', { class: 'small muted' }, poolName(item.pool_id), item.sla_deadline ? ` · ${t('mod.item.sla', { when: fmtRelative(item.sla_deadline, serverNow()) })}` : '', ` · ${fmtDateTime(item.created_at)}`),
      h('button', { type: 'button', class: 'secondary', dataset: { testid: 'claim' }, on: { click: () => claim(item.id) } }, t('mod.queue.claim')),
    )));
  }

  async function claim(itemId) {
    if (held) {
      toast(t('mod.queue.oneAtATime'), 'warn');
      return;
    }
    try {
      const item = await post(`/moderation/items/${itemId}/claim`);
      await open(item);
    } catch (error) {
      toast(error.status === 409 ? t('mod.queue.claimLost') : errorText(error), 'error');
      loadList();
    }
  }

  function claimFirst() {
    const item = items[selected] || items[0];
    if (item) claim(item.id);
    else toast(t('mod.queue.empty'), 'info');
  }

  async function open(item) {
    try {
      const detail = await get(`/moderation/items/${item.id}`);
      if (!alive) return;
      held = { item, detail };
      memory.heldItem = item;
      verdictMode = null;
      items = items.filter((i) => i.id !== item.id);
      renderList();
      renderPanel();
    } catch (error) {
      toast(errorText(error), 'error');
    }
  }

  function renderPanel() {
    clearInterval(timer);
    if (!held) {
      replace(panel, notice(t('mod.item.none')));
      return;
    }
    const { item, detail } = held;
    const question = detail.question;
    const clock = h('span', { class: 'claim-clock', dataset: { testid: 'claim-clock' } });
    const tick = () => {
      const left = (Date.parse(item.claimed_until) - serverNow()) / 1000;
      clock.textContent = left > 0 ? t('mod.item.claimLeft', { time: fmtClock(left) }) : t('mod.item.claimOver');
    };
    tick();
    timer = setInterval(tick, 1000);
    replace(
      panel,
      h('div', { class: 'row-between' }, h('h2', null, t('mod.item.title')), h('span', null, item.reasons.map(reasonChip), ' ', clock)),
      h('div', { class: 'side-by-side' },
        h('article', { class: 'card question-card', dataset: { testid: 'item-question' } },
          h('h3', null, t('mod.item.question')),
          h('p', { class: 'question-subject', dataset: { testid: 'item-question-subject' } }, question.subject),
          h('p', { class: 'text', dataset: { testid: 'item-question-body' } }, question.body),
          h('p', { class: 'small muted' }, [tOr(`channel.${question.channel}`, question.channel), languageName(question.language), ...question.tags].join(' · '), question.sla_deadline ? ` · ${t('mod.item.sla', { when: fmtRelative(question.sla_deadline, serverNow()) })}` : '', question.is_gold ? ` · ${t('mod.item.gold')}` : '')),
        h('article', { class: 'card answer-card', dataset: { testid: 'item-answer' } },
          h('h3', null, t('mod.item.answer')),
          h('p', { class: 'text', dataset: { testid: 'item-answer-body' } }, detail.answer.body),
          h('p', { class: 'small muted' }, fmtDateTime(detail.answer.created_at), ' · ', detail.answer.released ? t('mod.item.released') : t('mod.item.held')))),
      verdictBox(),
      h('div', { class: 'grid-2' },
        h('div', { class: 'card', dataset: { testid: 'item-checks' } }, h('h3', null, t('mod.item.checks')), checksView(detail.checks), feedbackView(detail.feedback)),
        h('div', { class: 'card', dataset: { testid: 'item-history' } }, h('h3', null, t('mod.item.history')), historyView(detail.history), expertLink(detail.expert_id, t('mod.item.expertRecord')))),
    );
  }

  function verdictBox() {
    const note = h('input', { type: 'text', name: 'note', maxLength: 2000, placeholder: t('mod.verdict.notePlaceholder'), dataset: { testid: 'verdict-note' } });
    const form = h('form', { class: 'card verdict', dataset: { testid: 'verdict-form' } });
    const buttons = h('div', { class: 'row' },
      h('button', { type: 'button', class: 'primary', dataset: { testid: 'approve' }, on: { click: () => send('approve') } }, t('mod.verdict.approve'), h('kbd', null, 'a')),
      h('button', { type: 'button', class: 'secondary', aria: { pressed: verdictMode === 'edit' }, dataset: { testid: 'approve-edit' }, on: { click: () => setMode('edit') } }, t('mod.verdict.edit'), h('kbd', null, 'e')),
      h('button', { type: 'button', class: 'danger', aria: { pressed: verdictMode === 'reject' }, dataset: { testid: 'reject' }, on: { click: () => setMode('reject') } }, t('mod.verdict.reject'), h('kbd', null, 'r')),
      h('button', { type: 'button', class: 'secondary', dataset: { testid: 'release' }, on: { click: release } }, t('mod.verdict.release'), h('kbd', null, 'u')));
    let extra = null;
    if (verdictMode === 'edit') {
      const edit = h('textarea', { name: 'edited_body', rows: 6, maxLength: 20000, dataset: { testid: 'edit-body' } });
      edit.value = held.detail.answer.body;
      extra = h('div', null, field(t('mod.verdict.editLabel'), edit), h('button', { type: 'submit', class: 'primary', dataset: { testid: 'send-edit' } }, t('mod.verdict.sendEdit')));
      form.onsubmit = (e) => { e.preventDefault(); send('approve_with_edit', { edited_body: edit.value }); };
      queueMicrotask(() => edit.focus());
    } else if (verdictMode === 'reject') {
      const boxes = REJECT_REASONS.map((code, index) => h('label', { class: 'choice' }, h('input', { type: 'checkbox', name: 'reasons', value: code, dataset: { testid: `reason-${code}` } }), ' ', h('kbd', null, String(index + 1)), ' ', t(`mod.reject.${code}`)));
      extra = h('fieldset', { class: 'field reject-reasons', name: 'reasons' }, h('legend', null, t('mod.verdict.reasons')), boxes, h('div', null, h('button', { type: 'submit', class: 'danger', dataset: { testid: 'send-reject' } }, t('mod.verdict.sendReject'))));
      form.onsubmit = (e) => {
        e.preventDefault();
        const reasons = [...form.querySelectorAll('input[name=reasons]:checked')].map((b) => b.value);
        if (!reasons.length) {
          toast(t('mod.verdict.needReason'), 'warn');
          return;
        }
        send('reject', { reasons });
      };
    } else {
      form.onsubmit = (e) => e.preventDefault();
    }
    replace(form, buttons, extra, field(t('mod.verdict.note'), note));
    return form;
  }

  function setMode(mode) {
    if (!held) return;
    verdictMode = verdictMode === mode ? null : mode;
    const old = panel.querySelector('[data-testid=verdict-form]');
    old?.replaceWith(verdictBox());
  }

  async function send(verdict, extra = {}) {
    if (!held) return;
    const form = panel.querySelector('[data-testid=verdict-form]');
    const note = form.querySelector('[name=note]').value.trim();
    const button = form.querySelector(`[data-testid=${verdict === 'approve' ? 'approve' : verdict === 'reject' ? 'send-reject' : 'send-edit'}]`);
    await busy(button, async () => {
      try {
        await post(`/moderation/items/${held.item.id}/verdict`, { verdict, note: note || null, ...extra });
        toast(t(`mod.verdict.done.${verdict}`), 'good');
        held = null;
        memory.heldItem = null;
        verdictMode = null;
        renderPanel();
        loadList();
      } catch (error) {
        const rest = showFieldErrors(form, error);
        toast([errorText(error), ...rest].join(' '), 'error');
      }
    });
  }

  async function release() {
    if (!held) return;
    try {
      await post(`/moderation/items/${held.item.id}/release`);
    } catch (error) {
      toast(errorText(error), 'error');
    }
    held = null;
    memory.heldItem = null;
    renderPanel();
    loadList();
  }

  function move(step) {
    if (!items.length) return;
    selected = (selected + step + items.length) % items.length;
    renderList();
    list.querySelector('.is-selected')?.scrollIntoView({ block: 'nearest' });
  }

  function onKey(event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (isTyping(event)) {
      if (event.key === 'Escape') event.target.blur();
      return;
    }
    const key = event.key;
    if (held && verdictMode === 'reject' && /^[1-7]$/.test(key)) {
      const box = panel.querySelector(`[data-testid=reason-${REJECT_REASONS[Number(key) - 1]}]`);
      if (box) box.checked = !box.checked;
    } else if (key === 'j') move(1);
    else if (key === 'k') move(-1);
    else if (key === 'n' || key === 'c') claimFirst();
    else if (key === 'a' && held) send('approve');
    else if (key === 'e' && held) setMode('edit');
    else if (key === 'r' && held) setMode('reject');
    else if (key === 'u' && held) release();
    else if (key === 'Enter' && held && verdictMode === 'reject') panel.querySelector('[data-testid=verdict-form]').requestSubmit();
    else if (key === 'Escape' && verdictMode) setMode(verdictMode);
    else return;
    event.preventDefault();
  }

  async function resume() {
    // A reload or a language switch keeps the held item: the server says what we still hold.
    const item = memory.heldItem || (restored?.claimed || [])[0];
    if (item && !held) await open(item);
  }

  function onEvent(event, data) {
    if (event.startsWith('audit.')) {
      if (event === 'audit.created') toast(t('mod.live.created'), 'info', 2500);
      if (event === 'audit.decided' && data.item_id === held?.item.id) {
        held = null;
        memory.heldItem = null;
        renderPanel();
      }
      reload();
    }
  }

  document.addEventListener('keydown', onKey);
  const stopRestored = onRestored(() => { resume(); reload(); });
  renderPanel();
  loadPools().then(loadList).then(resume);
  return {
    el,
    onEvent,
    destroy() {
      alive = false;
      clearInterval(timer);
      document.removeEventListener('keydown', onKey);
      stopRestored();
    },
  };
}

function shortcutsLegend() {
  const keys = [['a', 'mod.key.approve'], ['e', 'mod.key.edit'], ['r', 'mod.key.reject'], ['1–7', 'mod.key.reasons'], ['u', 'mod.key.release'], ['n', 'mod.key.next'], ['j / k', 'mod.key.move']];
  return h('details', { class: 'shortcuts', open: true, dataset: { testid: 'shortcuts' } },
    h('summary', null, t('mod.key.title')),
    h('ul', { class: 'plain-inline' }, keys.map(([k, label]) => h('li', null, h('kbd', null, k), ' ', t(label)))));
}

function checksView(checks) {
  const signals = checks?.signals || [];
  return h('div', null,
    h('p', { class: 'small' }, t('mod.item.automatic', { score: checks?.automatic === null || checks?.automatic === undefined ? '–' : fmtPercent(checks.automatic) })),
    signals.length
      ? h('ul', { class: 'signals', dataset: { testid: 'signals' } }, signals.map((s) => h('li', { class: s.flagged ? 'signal-bad' : 'signal-good', dataset: { code: s.code } },
        h('strong', null, tOr(`mod.signal.${s.code}`, s.code)), ' ', typeof s.score === 'number' ? fmtPercent(s.score) : '',
        s.flagged ? h('span', { class: 'chip chip-urgent' }, t('mod.item.flagged')) : null,
        h('span', { class: 'block small' }, bilingual(s.reason, s.reason_zh)))))
      : h('p', { class: 'muted small' }, t('mod.item.noSignals')));
}

function feedbackView(feedback) {
  if (!feedback) return h('p', { class: 'muted small' }, t('mod.item.noFeedback'));
  return h('div', { class: 'feedback', dataset: { testid: 'item-feedback' } },
    h('h3', null, t('mod.item.feedback')),
    h('p', null, '★'.repeat(feedback.rating) + '☆'.repeat(5 - feedback.rating), feedback.resolved === true ? ` · ${t('mod.item.resolved')}` : feedback.resolved === false ? ` · ${t('mod.item.unresolved')}` : ''),
    feedback.comment ? h('p', { class: 'text' }, feedback.comment) : null);
}

function historyView(history) {
  if (!history.length) return h('p', { class: 'muted small' }, t('mod.item.noHistory'));
  return h('table', null,
    h('thead', null, h('tr', null, h('th', null, t('mod.history.when')), h('th', null, t('mod.history.score')), h('th', null, t('mod.history.outcome')))),
    h('tbody', null, history.map((a) => h('tr', null, h('td', null, fmtDateTime(a.created_at)), h('td', null, typeof a.score === 'number' ? fmtPercent(a.score) : '–'), h('td', null, tOr(`mod.outcome.${a.outcome}`, a.outcome))))));
}
