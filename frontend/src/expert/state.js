// What the expert app knows right now. The server is the truth: a (re)connect replaces it all.
import { serverNow } from '../lib/api.js';

export const state = {
  session: null,
  availability: 'offline',
  connected: false, // the /expert socket is up
  browserOnline: navigator.onLine,
  everConnected: false,
  offers: new Map(), // id -> offer (with .localExpiry in server-clock ms)
  assignments: new Map(), // id -> assignment
  answered: new Set(), // assignment ids answered from this device (until the server agrees)
};

const listeners = new Set();

/** Call `fn(what)` whenever something changes ('offers', 'assignments', 'presence', ...). */
export function subscribe(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

export function changed(what) {
  for (const fn of listeners) fn(what);
}

export function restore(pending) {
  state.availability = pending.availability;
  state.offers = new Map(pending.offers.map((offer) => [offer.id, withExpiry(offer)]));
  state.assignments = new Map(pending.assignments.filter((a) => !state.answered.has(a.id)).map((a) => [a.id, a]));
  changed('offers');
  changed('assignments');
  changed('presence');
}

export function addOffer(offer) {
  state.offers.set(offer.id, withExpiry(offer));
  changed('offers');
}

export function removeOffer(id) {
  if (state.offers.delete(id)) changed('offers');
}

export function addAssignment(assignment) {
  state.assignments.set(assignment.id, assignment);
  changed('assignments');
}

export function removeAssignment(id) {
  if (state.assignments.delete(id)) changed('assignments');
}

function withExpiry(offer) {
  return { ...offer, localExpiry: Date.parse(offer.expires_at) };
}

/** Seconds left until a server time, by the server's clock. */
export function secondsUntil(isoOrMs) {
  const at = typeof isoOrMs === 'number' ? isoOrMs : Date.parse(isoOrMs);
  return (at - serverNow()) / 1000;
}
