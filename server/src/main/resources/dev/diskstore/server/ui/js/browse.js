// Browse a directory like a file manager: breadcrumbs, directories first then files (each sorted
// by name, as the store lists them), a page at a time; upload by file input or drop; per file
// download, move/rename and delete.

import * as api from './api.js';
import { h, fill, formatSize, formatTime } from './dom.js';
import { href, setCrumbs, pathCrumbs, refresh } from './nav.js';
import { download } from './preview.js';
import { moveFile, deleteFile } from './actions.js';
import { filesOfInput, filesOfDrop, uploadAll } from './upload.js';

const panel = h('section', { class: 'uploads card', id: 'uploads', hidden: true, 'aria-live': 'polite' });
let panelKey = null;

function normalizeDir(path) {
  let p = path || '/';
  if (!p.startsWith('/')) p = '/' + p;
  if (!p.endsWith('/')) p += '/';
  return p;
}

export async function browseView({ main, params, stale }) {
  const disk = params.disk;
  const dir = normalizeDir(params.path);
  const limit = Number(params.limit) || 100;
  setCrumbs(pathCrumbs(disk, dir));
  const first = await api.artifacts.ls(disk, dir, limit);
  if (stale()) return;

  const body = h('tbody', {});
  const table = h(
    'table',
    { class: 'list', id: 'listing' },
    h('thead', {}, h('tr', {}, ['Name', 'Size', 'Type', 'Modified', 'ETag', ''].map((c) => h('th', {}, c)))),
    body,
  );
  const more = h('button', { type: 'button', id: 'load-more', hidden: true }, 'Show more');
  const count = h('span', { class: 'count', id: 'entry-count' });
  let shown = 0;
  let cursor = null;

  function addPage(page) {
    for (const name of page.directories) {
      const path = dir + name + '/';
      body.append(
        h('tr', { class: 'dir-row', 'data-name': name },
          h('td', { class: 'name' }, h('a', { href: href('browse', { disk, path }), class: 'dir-link' },
            h('span', { class: 'icon dir', 'aria-hidden': 'true' }), name + '/')),
          h('td', {}, ''), h('td', { class: 'type' }, 'folder'), h('td', {}, ''), h('td', {}, ''), h('td', {}, '')),
      );
    }
    for (const a of page.artifacts) body.append(fileRow(a));
    shown += page.directories.length + page.artifacts.length;
    cursor = page.has_more ? page.next_cursor : null;
    more.hidden = !cursor;
    count.textContent = shown + (cursor ? '+' : '') + ' entr' + (shown === 1 ? 'y' : 'ies');
  }

  function fileRow(a) {
    const info = api.info(a);
    const path = api.fullPath(a);
    return h(
      'tr',
      { class: 'file-row', 'data-name': a.filename },
      h('td', { class: 'name' }, h('a', { href: href('file', { disk, path }), class: 'file-link' },
        h('span', { class: 'icon file', 'aria-hidden': 'true' }), a.filename)),
      h('td', { class: 'size', title: String(info.size_bytes) + ' bytes' }, formatSize(info.size_bytes)),
      h('td', { class: 'type' }, info.content_type || info.mime || ''),
      h('td', { class: 'modified' }, formatTime(info.last_modified || a.updated_at)),
      h('td', { class: 'etag mono', title: info.etag || '' }, (info.etag || '').slice(0, 10)),
      h(
        'td',
        { class: 'actions' },
        h('button', { type: 'button', class: 'small download', title: 'Download', onclick: () => download(disk, a) }, 'Download'),
        h('button', {
          type: 'button', class: 'small move', title: 'Move or rename',
          onclick: async () => {
            if (await moveFile(disk, a)) refresh();
          },
        }, 'Move'),
        h('button', {
          type: 'button', class: 'small danger delete', title: 'Delete',
          onclick: async () => {
            if (await deleteFile(disk, a)) refresh();
          },
        }, 'Delete'),
      ),
    );
  }

  more.addEventListener('click', async () => {
    more.disabled = true;
    try {
      addPage(await api.artifacts.ls(disk, dir, limit, cursor));
    } finally {
      more.disabled = false;
    }
  });
  addPage(first);

  // one upload panel, kept across the listing's re-renders while in this directory
  const key = disk + '\n' + dir;
  if (panelKey !== key) {
    panelKey = key;
    panel.hidden = true;
    fill(panel);
  }
  const afterUpload = async (files) => {
    if (!files.length) return;
    await uploadAll(disk, files, panel);
    if (panelKey === key) await browseView({ main, params, stale });
  };

  const fileInput = h('input', { type: 'file', id: 'upload-files', multiple: true, class: 'visually-hidden' });
  const folderInput = h('input', { type: 'file', id: 'upload-folder', multiple: true, webkitdirectory: true, class: 'visually-hidden' });
  fileInput.addEventListener('change', () => afterUpload(filesOfInput(fileInput, dir)));
  folderInput.addEventListener('change', () => afterUpload(filesOfInput(folderInput, dir)));

  const zone = h('section', { class: 'drop-zone', id: 'drop-zone' }, table,
    shown ? null : h('p', { class: 'empty' }, 'This folder is empty. Drop files or folders here to upload them.'));
  zone.addEventListener('dragover', (e) => {
    e.preventDefault();
    zone.classList.add('dragging');
  });
  zone.addEventListener('dragleave', () => zone.classList.remove('dragging'));
  zone.addEventListener('drop', async (e) => {
    e.preventDefault();
    zone.classList.remove('dragging');
    afterUpload(await filesOfDrop(e.dataTransfer, dir));
  });

  fill(
    main,
    h('div', { class: 'title-row' },
      h('h1', {}, dir === '/' ? 'Disk ' + disk : dir),
      count),
    h('div', { class: 'toolbar' },
      h('label', { for: 'upload-files', class: 'button primary', tabindex: '0' }, 'Upload files'), fileInput,
      h('label', { for: 'upload-folder', class: 'button', tabindex: '0' }, 'Upload folder'), folderInput,
      h('span', { class: 'hint' }, 'or drop files and folders on the list'),
      h('span', { class: 'spacer' }),
      h('a', { href: href('search', { disk }), class: 'button', id: 'open-search' }, 'Search this disk')),
    panel,
    zone,
    h('nav', { class: 'pager' }, more),
  );
}
