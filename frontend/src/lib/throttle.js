// Refreshing on events without refreshing on every one of them.

/** Run `fn` at most once per `ms` however many calls arrive; a call inside the window runs once
 * at its end, so the last change is never missed (a busy queue emits a lot). */
export function throttled(fn, ms = 500) {
  let timer = null;
  let again = false;
  return () => {
    if (timer) {
      again = true;
      return;
    }
    fn();
    timer = setTimeout(() => {
      timer = null;
      if (again) {
        again = false;
        fn();
      }
    }, ms);
  };
}
