// The /moderator socket: new and merged queue items, claims, releases and verdicts by others,
// appeals; session.restored on every (re)connect says what this moderator still holds.
import { createLive } from '../lib/live.js';

export const EVENTS = [
  'audit.created',
  'audit.updated',
  'audit.claimed',
  'audit.released',
  'audit.decided',
  'dispute.created',
  'dispute.decided',
];
const restoredListeners = new Set();
export let restored = null; // the latest session.restored document

export const live = createLive('/moderator', EVENTS, {
  handlers: {
    'session.restored': (state) => {
      restored = state;
      for (const fn of restoredListeners) fn(state);
    },
  },
});

export function onRestored(fn) {
  restoredListeners.add(fn);
  return () => restoredListeners.delete(fn);
}

/** Stop the socket and forget what the last session held. */
export function stopLive() {
  live.stop();
  restored = null;
}
