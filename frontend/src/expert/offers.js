// Home: the online/away toggle and incoming offers as cards (accept or decline in one tap).
import { h, replace } from '../lib/dom.js';
import { fmtMoney, t } from '../lib/i18n.js';
import { busy, errorText, notice, toast } from '../lib/ui.js';
import { acceptOffer, declineOffer, onNewOffer, setAvailability } from './connection.js';
import { countdown, questionChips, reward } from './common.js';
import { state } from './state.js';

const LONG_BODY = 280;

export function offersScreen({ go }) {
  const toggle = h('div', { class: 'availability' });
  const list = h('div', { class: 'offers', role: 'region', aria: { label: t('offers.title') } });
  const announcer = h('div', { class: 'sr-only', role: 'alert', aria: { live: 'assertive' } });
  const el = h('div', { class: 'screen screen-offers' }, h('h1', { class: 'sr-only' }, t('offers.title')), announcer, list, toggle);
  const stopAnnouncing = onNewOffer((offer) => {
    announcer.textContent = t('offers.announce', {
      subject: offer.question.subject,
      reward: fmtMoney(offer.question.reward.amount, offer.question.reward.currency),
    });
  });

  function renderToggle() {
    const choose = (value) => async (event) => {
      if (state.availability === value) return;
      await busy(event.currentTarget, async () => {
        try {
          await setAvailability(value);
        } catch (error) {
          toast(errorText(error), 'error');
        }
      });
    };
    const online = state.availability === 'online';
    replace(
      toggle,
      h('p', { class: ['availability-state', online ? 'is-online' : 'is-away'] }, t(`presence.${state.availability}`)),
      h(
        'div',
        { class: 'segmented', role: 'group', aria: { label: t('presence.label') } },
        h('button', { type: 'button', class: ['seg', online && 'seg-on'], aria: { pressed: online }, on: { click: choose('online') }, dataset: { testid: 'go-online' } }, t('presence.goOnline')),
        h('button', { type: 'button', class: ['seg', !online && 'seg-on'], aria: { pressed: !online }, on: { click: choose('away') }, dataset: { testid: 'go-away' } }, t('presence.goAway')),
      ),
    );
  }

  function renderList() {
    const offers = [...state.offers.values()].sort((a, b) => a.localExpiry - b.localExpiry);
    if (!offers.length) {
      const hint = state.availability === 'online' ? t('offers.empty') : t('offers.goOnlineHint');
      replace(list, notice(hint), state.notInAnyPool ? notice(t('offers.noPool'), 'warn') : null);
      return;
    }
    replace(list, offers.map((offer) => offerCard(offer, go)));
  }

  renderToggle();
  renderList();
  return {
    el,
    destroy: stopAnnouncing,
    update(what) {
      if (what === 'offers') renderList();
      if (what === 'presence') {
        renderToggle();
        renderList();
      }
    },
  };
}

function offerCard(offer, go) {
  const q = offer.question;
  const total = (Date.parse(offer.expires_at) - Date.parse(offer.created_at)) / 1000;
  const body = h('p', { class: 'question-body clamp' }, q.body);
  const more = q.body.length > LONG_BODY
    ? h('button', { type: 'button', class: 'link', on: { click: (e) => { body.classList.toggle('clamp'); e.currentTarget.textContent = body.classList.contains('clamp') ? t('common.more') : t('common.less'); } } }, t('common.more'))
    : null;
  const accept = h('button', { type: 'button', class: 'primary big', dataset: { testid: 'accept' } }, t('offer.accept'));
  const decline = h('button', { type: 'button', class: 'secondary big', dataset: { testid: 'decline' } }, t('offer.decline'));
  const message = h('p', { class: 'form-message', role: 'alert' });
  accept.addEventListener('click', () => busy(accept, async () => {
    decline.disabled = true;
    try {
      const assignment = await acceptOffer(offer);
      toast(t('offer.accepted'), 'good');
      go(`work/${assignment.id}`);
    } catch (error) {
      message.textContent = errorText(error);
      decline.disabled = false;
    }
  }));
  decline.addEventListener('click', () => busy(decline, async () => {
    try {
      await declineOffer(offer);
    } catch (error) {
      message.textContent = errorText(error);
    }
  }));
  return h(
    'article',
    { class: 'card offer-card', aria: { label: t('offer.label', { subject: q.subject }) }, dataset: { offerId: offer.id, testid: 'offer-card' } },
    h('div', { class: 'offer-top' }, reward(q), h('span', { class: 'muted small' }, t('offer.newOffer'))),
    h('h2', { class: 'question-subject' }, q.subject),
    body,
    more,
    questionChips(q),
    countdown(offer.expires_at, total, 'offer.left'),
    whyYou(offer.reasons),
    message,
    h('div', { class: 'actions' }, decline, accept),
  );
}

function whyYou(reasons) {
  if (!reasons || typeof reasons !== 'object' || !('score' in reasons)) return null;
  const parts = ['skill', 'reputation', 'speed', 'idle']
    .filter((k) => typeof reasons[k] === 'number')
    .map((k) => `${t(`offer.reason.${k}`)} ${Math.round(reasons[k] * 100)}`);
  return h('details', { class: 'why' }, h('summary', null, t('offer.why')), h('p', { class: 'small muted' }, parts.join(' · ')));
}
