// Socket.IO on the same origin; the session cookie authenticates the namespace.
import { io } from 'socket.io-client';

/** Connect to a namespace; `handlers` maps event names to functions. */
export function connect(namespace, handlers = {}) {
  const socket = io(namespace, {
    withCredentials: true,
    reconnection: true,
    reconnectionDelay: 1000,
    reconnectionDelayMax: 8000,
    timeout: 10000,
  });
  for (const [event, fn] of Object.entries(handlers)) socket.on(event, fn);
  return socket;
}

/**
 * Emit an action and wait for its acknowledgement: resolves with `data` on {"status": 200},
 * rejects with the problem document otherwise (or a timeout problem).
 */
export function call(socket, event, payload, timeoutMs = 10000) {
  return new Promise((resolve, reject) => {
    socket.timeout(timeoutMs).emit(event, payload, (error, ack) => {
      if (error) reject({ status: 0, title: 'timeout', detail: 'No answer from the server.' });
      else if (ack && ack.status === 200) resolve(ack.data);
      else reject(ack || { status: 0, title: 'error' });
    });
  });
}
