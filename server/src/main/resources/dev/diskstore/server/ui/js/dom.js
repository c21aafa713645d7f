// Tiny DOM helpers. Text always goes in as text (textContent), never as HTML: the only places that
// set innerHTML are the Markdown and code renderers in preview.js, on DOMPurify's output.

/**
 * h('a', {href: '#/x', class: 'link', onclick: fn}, 'text', child...) builds an element. Attributes
 * starting with "on" become event listeners (never inline handler attributes), null and false
 * attributes are left out, and children that are strings become text nodes.
 */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') {
      el.addEventListener(name.slice(2), value);
    } else if (name === 'dataset') {
      Object.assign(el.dataset, value);
    } else if (value === true) {
      el.setAttribute(name, '');
    } else {
      el.setAttribute(name, String(value));
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Replaces the children of el. */
export function fill(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

const UNITS = ['B', 'KB', 'MB', 'GB', 'TB'];

/** 1536 -> "1.5 KB" (powers of 1024, as file managers show). */
export function formatSize(bytes) {
  if (bytes === null || bytes === undefined) return '';
  let n = Number(bytes);
  let u = 0;
  while (n >= 1024 && u < UNITS.length - 1) {
    n /= 1024;
    u++;
  }
  return (u === 0 ? String(n) : n.toFixed(n < 10 ? 1 : 0)) + ' ' + UNITS[u];
}

/** An RFC 3339 time as the browser's local date and time. */
export function formatTime(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  return isNaN(d) ? iso : d.toLocaleString();
}

/** Shows a short message (text, or nodes) at the bottom of the page for a few seconds. */
export function toast(message, kind) {
  const el = document.getElementById('toast');
  const item = h('div', { class: 'toast ' + (kind || 'info') }, message);
  el.append(item);
  setTimeout(() => item.remove(), kind === 'error' || Array.isArray(message) ? 8000 : 4000);
}

/**
 * A modal dialog (the page's <dialog>): title, body nodes and buttons. Resolves with the value of
 * the button pressed (or null when dismissed). beforeClose(value) may return a string to keep the
 * dialog open with that error shown (or a promise of one).
 */
export function dialog({ title, body, buttons, beforeClose }) {
  const el = document.getElementById('dialog');
  const error = h('p', { class: 'error', role: 'alert', hidden: true });
  return new Promise((resolve) => {
    const finish = (value) => {
      el.close();
      resolve(value);
    };
    const row = h('div', { class: 'buttons' });
    for (const b of buttons) {
      row.append(
        h(
          'button',
          {
            type: 'button',
            class: b.class || '',
            'data-action': b.value === null ? 'cancel' : b.value,
            onclick: async () => {
              if (b.value !== null && beforeClose) {
                const problem = await beforeClose(b.value);
                if (problem) {
                  error.textContent = problem;
                  error.hidden = false;
                  return;
                }
              }
              finish(b.value);
            },
          },
          b.label,
        ),
      );
    }
    fill(el, h('h2', {}, title), ...(body || []), error, row);
    el.onclose = () => resolve(null);
    el.showModal();
  });
}

/** Asks to confirm a destructive action; resolves true when confirmed. */
export async function confirmAction(title, message, label) {
  const value = await dialog({
    title,
    body: [h('p', {}, message)],
    buttons: [
      { label: 'Cancel', value: null },
      { label: label || 'Delete', value: 'ok', class: 'danger' },
    ],
  });
  return value === 'ok';
}
