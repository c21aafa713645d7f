// The web view: a hash router over four screens (disks, browse, file, search) and the login form.
// Routes: #/disks?user=&cursor=, #/browse?disk=&path=, #/file?disk=&path=&tab=&version=,
// #/search?disk=&mode=&q=.

import * as api from './api.js';
import { h, fill, toast } from './dom.js';
import { disksView } from './disks.js';
import { browseView } from './browse.js';
import { fileView } from './file.js';
import { searchView } from './search.js';
import { href, setCrumbs } from './nav.js';

const main = document.getElementById('main');
const signOut = document.getElementById('sign-out');

function loginView(message) {
  setCrumbs([['Sign in', null]]);
  signOut.hidden = true;
  const input = h('input', {
    type: 'password', id: 'token', name: 'token', autocomplete: 'current-password',
    placeholder: 'sk-ac-…', 'aria-label': 'Token',
  });
  const error = h('p', { class: 'error', id: 'login-error', role: 'alert', hidden: !message }, message || '');
  const form = h(
    'form',
    {
      class: 'login card',
      id: 'login',
      onsubmit: async (e) => {
        e.preventDefault();
        api.setToken(input.value.trim());
        try {
          await api.disks.list({ limit: 1 });
          toast('Signed in');
          route();
        } catch (err) {
          api.setToken(null);
          error.textContent = err.status === 401 ? 'The server refused this token.' : err.message;
          error.hidden = false;
        }
      },
    },
    h('h1', {}, 'DiskStore'),
    h('p', {}, 'Enter the bearer token of your project (the one given to diskstore serve). ' +
      'It is kept in this browser tab only. Leave it empty for a server without tokens.'),
    h('label', { for: 'token' }, 'Token'),
    input,
    error,
    h('button', { type: 'submit', class: 'primary', id: 'sign-in' }, 'Sign in'),
  );
  fill(main, form);
  input.focus();
}

let rendering = 0;
let probed = false;

/** Renders the screen of the current hash. */
export async function route() {
  const ticket = ++rendering;
  if (api.token() === null) {
    // a server without tokens answers without one: no sign-in needed
    if (!probed) {
      probed = true;
      if (await api.openServer()) api.setToken('');
    }
    if (api.token() === null) {
      loginView();
      return;
    }
  }
  signOut.hidden = false;
  const hash = location.hash.replace(/^#\/?/, '');
  const [name, query] = hash.split('?');
  const params = Object.fromEntries(new URLSearchParams(query || ''));
  main.dataset.view = name || 'disks';
  fill(main, h('p', { class: 'notice' }, 'Loading…'));
  try {
    const ctx = { main, params, stale: () => ticket !== rendering };
    if (name === 'browse' && params.disk) await browseView(ctx);
    else if (name === 'file' && params.disk && params.path) await fileView(ctx);
    else if (name === 'search' && params.disk) await searchView(ctx);
    else await disksView(ctx);
  } catch (err) {
    if (ticket !== rendering) return;
    if (err.status === 401) return; // the login form is shown
    fill(main, h('div', { class: 'card' }, h('p', { class: 'error', role: 'alert' }, err.message),
      h('p', {}, h('a', { href: href('disks') }, 'Back to the disks'))));
  }
}

api.onUnauthorized(() => {
  api.setToken(null);
  loginView('The server refused the token; sign in again.');
});

signOut.addEventListener('click', () => {
  api.setToken(null);
  location.hash = '';
  loginView();
});

window.addEventListener('hashchange', route);
route();
