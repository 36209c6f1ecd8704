// The /expert socket: restores what is pending on every (re)connect, follows the browser's
// online/offline state, and sends actions over the socket or, without one, the REST twins.
import { call, connect } from '../lib/socket.js';
import { ApiError, post, put } from '../lib/api.js';
import { t } from '../lib/i18n.js';
import { toast } from '../lib/ui.js';
import { alertNewOffer } from './alert.js';
import {
  addAssignment,
  addOffer,
  changed,
  removeAssignment,
  removeOffer,
  restore,
  state,
} from './state.js';

let socket = null;
let watching = false;
const announcers = new Set();

/** Functions that announce a new offer to screen readers (the offers screen registers one). */
export function onNewOffer(fn) {
  announcers.add(fn);
  return () => announcers.delete(fn);
}

export function start({ onRefused }) {
  socket = connect('/expert', {
    connect: () => {
      state.connected = true;
      state.everConnected = true;
      changed('presence');
    },
    disconnect: () => {
      state.connected = false;
      changed('presence');
    },
    connect_error: (error) => {
      const problem = error?.data;
      if (problem && (problem.status === 401 || problem.status === 403)) onRefused(problem);
    },
    'session.restored': restore,
    'offer.created': (offer) => {
      addOffer(offer);
      alertNewOffer();
      for (const fn of announcers) fn(offer);
    },
    'offer.revoked': ({ offer_id: id, reason }) => {
      if (state.offers.has(id) && reason === 'taken') toast(t('offer.revoked'), 'warn');
      removeOffer(id);
    },
    'offer.expired': ({ offer_id: id }) => {
      if (state.offers.has(id)) toast(t('offer.expired'), 'warn');
      removeOffer(id);
    },
    'assignment.created': addAssignment,
    'assignment.expired': ({ assignment_id: id }) => {
      if (state.assignments.has(id)) toast(t('work.expired'), 'warn', 6000);
      removeAssignment(id);
    },
    'assignment.revoked': ({ assignment_id: id }) => {
      if (state.assignments.has(id)) toast(t('work.revoked'), 'warn', 6000);
      removeAssignment(id);
    },
    'availability.changed': (data) => {
      state.availability = data.availability;
      if (data.reason === 'missed_offers') toast(t('presence.autoAway', { n: data.missed }), 'warn', 8000);
      changed('presence');
    },
    'answer.submitted': ({ assignment_id: id }) => {
      state.answered.add(id);
      removeAssignment(id);
    },
    'answer.scored': (data) => {
      toast(t('answers.scoredToast', { score: Math.round((data.score ?? 0) * 100) }), 'good', 6000);
      changed('answers');
    },
    'answer.verdict': (data) => {
      toast(t(data.verdict === 'reject' ? 'verdict.toast.rejected' : 'verdict.toast.approved'), data.verdict === 'reject' ? 'warn' : 'good', 6000);
      changed('answers');
    },
    'reward.credited': () => {
      toast(t('earnings.creditedToast'), 'good', 6000);
      changed('earnings');
    },
  });
  if (!watching) watchTheNetwork();
}

function watchTheNetwork() {
  watching = true;
  window.addEventListener('offline', () => {
    state.browserOnline = false;
    socket?.disconnect(); // say so at once; the socket would notice only at its ping timeout
    changed('presence');
  });
  window.addEventListener('online', () => {
    state.browserOnline = true;
    if (socket && !socket.connected) socket.connect(); // the server sends session.restored
    changed('presence');
  });
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible' && socket?.connected) sync();
  });
}

export function stop() {
  socket?.disconnect();
  socket = null;
  state.connected = false;
  state.everConnected = false;
  state.offers.clear();
  state.assignments.clear();
}

async function sync() {
  try {
    restore(await call(socket, 'session.sync', {}));
  } catch {
    // the next reconnect restores instead
  }
}

const viaSocket = () => socket && socket.connected;

export async function setAvailability(availability) {
  const data = viaSocket()
    ? await call(socket, 'availability.set', { availability })
    : await put('/expert/availability', { availability });
  state.availability = data.availability;
  if (availability !== 'online') {
    state.offers.clear();
    changed('offers');
  }
  changed('presence');
  return data;
}

export async function acceptOffer(offer) {
  let assignment;
  if (viaSocket()) {
    const data = await call(socket, 'offer.accept', { offer_id: offer.id });
    assignment = state.assignments.get(data.assignment_id) || {
      id: data.assignment_id,
      status: 'active',
      deadline: data.deadline,
      created_at: new Date().toISOString(),
      question: offer.question,
    };
  } else {
    assignment = await post(`/expert/offers/${offer.id}/accept`);
  }
  removeOffer(offer.id);
  addAssignment(assignment);
  return assignment;
}

export async function declineOffer(offer) {
  if (viaSocket()) await call(socket, 'offer.decline', { offer_id: offer.id });
  else await post(`/expert/offers/${offer.id}/decline`);
  removeOffer(offer.id);
}

export async function submitAnswer(assignmentId, body, idempotencyKey) {
  const data = await retryWhenBusy(() => (viaSocket()
    ? call(socket, 'answer.submit', { assignment_id: assignmentId, body, idempotency_key: idempotencyKey })
    : post(`/expert/assignments/${assignmentId}/answer`, { body, idempotency_key: idempotencyKey })));
  state.answered.add(assignmentId);
  removeAssignment(assignmentId);
  return data;
}

// A busy server (every database connection taken) did nothing with the request. An answer
// carries its idempotency key, so it is sent again after the wait the server asks for.
const BUSY_RETRIES = 3;

async function retryWhenBusy(send) {
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await send();
    } catch (error) {
      const problem = error instanceof ApiError ? error.problem : error;
      const busy = problem?.status === 503 && String(problem?.type || '').endsWith(':busy');
      if (!busy || attempt >= BUSY_RETRIES) throw error;
      await new Promise((resolve) => setTimeout(resolve, 1000 * (problem.retry_after || 2)));
    }
  }
}
