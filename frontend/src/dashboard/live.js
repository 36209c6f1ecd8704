// The /company socket: question.assigned / answered / returned / expired as they happen.
import { connect } from '../lib/socket.js';

export const EVENTS = ['question.assigned', 'question.answered', 'question.returned', 'question.expired'];
const listeners = new Set();
const statusListeners = new Set();
export const feed = []; // newest first, at most FEED_SIZE envelopes
const FEED_SIZE = 30;
let socket = null;
export let connected = false;

export function onLiveEvent(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

export function onLiveStatus(fn) {
  statusListeners.add(fn);
  return () => statusListeners.delete(fn);
}

function setConnected(value) {
  connected = value;
  for (const fn of statusListeners) fn(value);
}

export function startLive() {
  const handlers = {
    connect: () => setConnected(true),
    disconnect: () => setConnected(false),
  };
  for (const event of EVENTS) {
    handlers[event] = (envelope) => {
      if (feed.some((e) => e.id === envelope.id)) return; // delivered twice
      feed.unshift(envelope);
      feed.length = Math.min(feed.length, FEED_SIZE);
      for (const fn of listeners) fn(envelope);
    };
  }
  socket = connect('/company', handlers);
}

export function stopLive() {
  socket?.disconnect();
  socket = null;
  feed.length = 0;
  setConnected(false);
}
