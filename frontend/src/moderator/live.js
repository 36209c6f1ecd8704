// The /moderator socket: new and merged queue items, claims, releases and verdicts by others,
// appeals; session.restored on every (re)connect says what this moderator still holds.
import { connect } from '../lib/socket.js';

export const EVENTS = [
  'audit.created',
  'audit.updated',
  'audit.claimed',
  'audit.released',
  'audit.decided',
  'dispute.created',
  'dispute.decided',
];
const listeners = new Set();
const statusListeners = new Set();
const restoredListeners = new Set();
export const feed = []; // newest first: {event, data, at}
const FEED_SIZE = 30;
let socket = null;
export let connected = false;
export let restored = null; // the latest session.restored document

export function onLiveEvent(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

export function onLiveStatus(fn) {
  statusListeners.add(fn);
  return () => statusListeners.delete(fn);
}

export function onRestored(fn) {
  restoredListeners.add(fn);
  return () => restoredListeners.delete(fn);
}

function setConnected(value) {
  connected = value;
  for (const fn of statusListeners) fn(value);
}

export function startLive() {
  const handlers = {
    connect: () => setConnected(true),
    disconnect: () => setConnected(false),
    'session.restored': (state) => {
      restored = state;
      for (const fn of restoredListeners) fn(state);
    },
  };
  for (const event of EVENTS) {
    handlers[event] = (data) => {
      feed.unshift({ event, data, at: Date.now() });
      feed.length = Math.min(feed.length, FEED_SIZE);
      for (const fn of listeners) fn(event, data);
    };
  }
  socket = connect('/moderator', handlers);
}

export function stopLive() {
  socket?.disconnect();
  socket = null;
  restored = null;
  feed.length = 0;
  setConnected(false);
}
