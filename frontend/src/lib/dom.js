// Building DOM safely: text is always a text node; there is no way to pass HTML in.
// Every screen builds its markup with h(); data never reaches innerHTML.

const BOOLEAN_PROPS = new Set(['disabled', 'checked', 'hidden', 'required', 'selected', 'open', 'multiple', 'readOnly']);
const VALUE_PROPS = new Set(['value', 'min', 'max', 'step', 'type', 'name', 'placeholder', 'id', 'htmlFor', 'title', 'href', 'download', 'accept', 'autocomplete', 'inputMode', 'maxLength', 'rows', 'lang', 'dir', 'tabIndex', 'role', 'scope', 'colSpan']);

/**
 * h('button', {class: 'primary', on: {click}}, 'Accept') -> <button class="primary">Accept</button>
 * props: class, on (event handlers), dataset, aria (aria-* attributes), style (object),
 * boolean and value properties listed above. Children: nodes, strings/numbers (as text),
 * arrays, null/false (skipped).
 */
export function h(tag, props, ...children) {
  const el = document.createElement(tag);
  if (props) applyProps(el, props);
  append(el, children);
  return el;
}

function applyProps(el, props) {
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false && !BOOLEAN_PROPS.has(key)) continue;
    if (key === 'class') el.className = Array.isArray(value) ? value.filter(Boolean).join(' ') : value;
    else if (key === 'on') for (const [name, fn] of Object.entries(value)) el.addEventListener(name, fn);
    else if (key === 'dataset') Object.assign(el.dataset, value);
    else if (key === 'aria') for (const [name, v] of Object.entries(value)) el.setAttribute(`aria-${name}`, String(v));
    else if (key === 'style') Object.assign(el.style, value);
    else if (BOOLEAN_PROPS.has(key)) el[key] = Boolean(value);
    else if (VALUE_PROPS.has(key)) {
      if (key === 'href' && !isSafeUrl(value)) throw new Error(`unsafe href: ${value}`);
      el[key] = value;
    } else throw new Error(`h(): unsupported property ${key}`);
  }
}

/** Only same-origin paths, fragments, http(s) and blob: links (never javascript:). */
export function isSafeUrl(value) {
  const text = String(value);
  if (text.startsWith('#') || text.startsWith('/') && !text.startsWith('//')) return true;
  try {
    const url = new URL(text, location.href);
    return ['http:', 'https:', 'blob:'].includes(url.protocol);
  } catch {
    return false;
  }
}

export function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

/** Replace an element's children. */
export function replace(el, ...children) {
  el.replaceChildren();
  return append(el, children);
}

export function $(selector, root = document) {
  return root.querySelector(selector);
}

/** A visually hidden live region that screen readers announce. */
export function liveRegion(politeness = 'polite') {
  return h('div', { class: 'sr-only', role: politeness === 'assertive' ? 'alert' : 'status', aria: { live: politeness } });
}
