// One live namespace of a console (the dashboard's /company, the moderator's /moderator): the
// socket, who listens to its events and to its connection state, and a feed of the latest events.
import { connect } from './socket.js';

const FEED_SIZE = 30;

/**
 * createLive('/company', ['question.assigned', ...], { entry, handlers }):
 * - entry(event, data) -> what the feed keeps of an event, or null for one already seen
 *   (a redelivery); listeners only hear events that got an entry;
 * - handlers: more socket events (such as session.restored), handled as they are.
 * Listeners get (event, data, entry).
 */
export function createLive(namespace, events, { entry = (event, data) => ({ event, data, at: Date.now() }), handlers = {} } = {}) {
  const listeners = new Set();
  const statusListeners = new Set();
  const feed = []; // newest first, at most FEED_SIZE entries
  let socket = null;
  let connected = false;

  function setConnected(value) {
    connected = value;
    for (const fn of statusListeners) fn(value);
  }

  function subscribe(set, fn) {
    set.add(fn);
    return () => set.delete(fn);
  }

  return {
    feed,
    isConnected: () => connected,
    onEvent: (fn) => subscribe(listeners, fn),
    onStatus: (fn) => subscribe(statusListeners, fn),
    start() {
      const all = { ...handlers, connect: () => setConnected(true), disconnect: () => setConnected(false) };
      for (const event of events) {
        all[event] = (data) => {
          const kept = entry(event, data);
          if (kept === null) return;
          feed.unshift(kept);
          feed.length = Math.min(feed.length, FEED_SIZE);
          for (const fn of listeners) fn(event, data, kept);
        };
      }
      socket = connect(namespace, all);
    },
    stop() {
      socket?.disconnect();
      socket = null;
      feed.length = 0;
      setConnected(false);
    },
  };
}
