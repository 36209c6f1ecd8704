// The /company socket: question.assigned / answered / returned / expired as they happen. Each
// event is an envelope {id, event, created_at, data}; the feed keeps envelopes.
import { createLive } from '../lib/live.js';

export const EVENTS = ['question.assigned', 'question.answered', 'question.returned', 'question.expired'];

export const live = createLive('/company', EVENTS, {
  entry: (event, envelope) => (live.feed.some((e) => e.id === envelope.id) ? null : envelope), // delivered twice
});
