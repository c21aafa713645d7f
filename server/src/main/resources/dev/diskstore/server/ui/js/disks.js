// Disks: the caller's project's disks, a page at a time, filtered by user; create and delete.

import * as api from './api.js';
import { h, fill, formatTime, toast, confirmAction } from './dom.js';
import { href, go, setCrumbs, refresh } from './nav.js';

export async function disksView({ main, params, stale }) {
  setCrumbs([['Disks', null]]);
  const limit = Number(params.limit) || 20;
  const page = await api.disks.list({
    limit,
    cursor: params.cursor,
    user: params.user,
    time_desc: true,
  });
  if (stale()) return;

  const userFilter = h('input', {
    type: 'search', id: 'user-filter', value: params.user || '', placeholder: 'user id',
    'aria-label': 'Filter by user',
  });
  const newUser = h('input', {
    type: 'text', id: 'new-disk-user', placeholder: 'user id (optional)', 'aria-label': 'User of the new disk',
  });
  const toolbar = h(
    'div',
    { class: 'toolbar' },
    h('form', {
      class: 'inline', id: 'filter-form',
      onsubmit: (e) => {
        e.preventDefault();
        go('disks', { user: userFilter.value.trim(), limit: params.limit });
      },
    }, h('label', { for: 'user-filter' }, 'User'), userFilter, h('button', { type: 'submit' }, 'Filter'),
    params.user ? h('a', { href: href('disks', { limit: params.limit }), class: 'clear' }, 'Clear') : null),
    h('span', { class: 'spacer' }),
    h('form', {
      class: 'inline', id: 'create-disk-form',
      onsubmit: async (e) => {
        e.preventDefault();
        try {
          const disk = await api.disks.create(newUser.value.trim());
          toast('Created disk ' + disk.id);
          go('browse', { disk: disk.id, path: '/' });
        } catch (err) {
          toast(err.message, 'error');
        }
      },
    }, newUser, h('button', { type: 'submit', class: 'primary', id: 'create-disk' }, 'New disk')),
  );

  const rows = page.items.map((d) =>
    h(
      'tr',
      { class: 'disk-row', 'data-disk': d.id },
      h('td', {}, h('a', { href: href('browse', { disk: d.id, path: '/' }), class: 'disk-link mono' }, d.id)),
      h('td', { class: 'user' }, d.user_id || '—'),
      h('td', {}, formatTime(d.created_at)),
      h('td', {}, formatTime(d.updated_at)),
      h(
        'td',
        { class: 'actions' },
        h('button', {
          type: 'button', class: 'danger small delete-disk', title: 'Delete disk',
          onclick: async () => {
            const sure = await confirmAction(
              'Delete this disk?',
              'Disk ' + d.id + ' and every file in it will be deleted. This cannot be undone.',
              'Delete disk',
            );
            if (!sure) return;
            try {
              await api.disks.remove(d.id);
              toast('Deleted disk ' + d.id);
              refresh();
            } catch (err) {
              toast(err.message, 'error');
            }
          },
        }, 'Delete'),
      ),
    ),
  );

  const pager = h(
    'nav',
    { class: 'pager' },
    params.cursor ? h('a', { href: href('disks', { user: params.user, limit: params.limit }), id: 'first-page' }, '« First page') : null,
    page.has_more
      ? h('a', { href: href('disks', { user: params.user, limit: params.limit, cursor: page.next_cursor }), id: 'next-page' }, 'Next page »')
      : null,
  );

  fill(
    main,
    h('h1', {}, 'Disks'),
    toolbar,
    page.items.length
      ? h(
          'table',
          { class: 'list', id: 'disks' },
          h('thead', {}, h('tr', {}, ['Disk', 'User', 'Created', 'Updated', ''].map((c) => h('th', {}, c)))),
          h('tbody', {}, rows),
        )
      : h('p', { class: 'empty' }, params.user ? 'No disks of this user.' : 'No disks yet: create one.'),
    pager,
  );
}
