// One file: its preview, its metadata (user metadata editable as JSON; the system info read-only)
// and its history (versions, with preview, download and restore of each).

import * as api from './api.js';
import { h, fill, formatSize, formatTime, toast, confirmAction } from './dom.js';
import { href, go, setCrumbs, pathCrumbs } from './nav.js';
import { renderPreview, download } from './preview.js';
import { moveFile, deleteFile } from './actions.js';

const TABS = [
  ['preview', 'Preview'],
  ['meta', 'Metadata'],
  ['history', 'History'],
];

function split(path) {
  const slash = path.lastIndexOf('/');
  return { dir: path.slice(0, slash + 1) || '/', name: path.slice(slash + 1) };
}

export async function fileView({ main, params, stale }) {
  const disk = params.disk;
  const path = params.path;
  const tab = params.tab || 'preview';
  const version = params.version === undefined || params.version === '' ? null : Number(params.version);
  const { dir, name } = split(path);
  setCrumbs(pathCrumbs(disk, dir, version === null ? name : name + ' (version ' + version + ')'));
  let got;
  try {
    got = await api.artifacts.get(disk, path, { with_public_url: false, with_content: false, version });
  } catch (err) {
    if (err.status !== 404 || version !== null || /^disk not found/.test(err.message)) throw err;
    // deleted or moved away: its kept versions can still be restored (an undelete)
    await goneView({ main, disk, path, name, stale });
    return;
  }
  if (stale()) return;
  const artifact = got.artifact;
  const info = api.info(artifact);

  const header = h(
    'div',
    { class: 'file-head' },
    h('div', {},
      h('h1', { id: 'file-name' }, artifact.filename),
      h('p', { class: 'facts' },
        h('span', { class: 'fact size' }, formatSize(info.size_bytes)),
        h('span', { class: 'fact type' }, info.content_type || info.mime),
        h('span', { class: 'fact modified' }, 'modified ' + formatTime(info.last_modified || artifact.updated_at)),
        h('span', { class: 'fact etag mono', title: 'ETag' }, 'etag ' + (info.etag || '')))),
    h('div', { class: 'toolbar' },
      h('button', { type: 'button', id: 'download', onclick: () => download(disk, artifact, version) }, 'Download'),
      version === null
        ? [
            h('button', {
              type: 'button', id: 'move',
              onclick: async () => {
                const moved = await moveFile(disk, artifact);
                if (moved) go('file', { disk, path: api.fullPath(moved), tab });
              },
            }, 'Move / rename'),
            h('button', {
              type: 'button', id: 'delete', class: 'danger',
              onclick: async () => {
                if (await deleteFile(disk, artifact)) go('browse', { disk, path: dir });
              },
            }, 'Delete'),
          ]
        : null),
  );

  const banner =
    version === null
      ? null
      : h('div', { class: 'banner', id: 'version-banner' },
          'You are looking at version ' + version + ', not the current file. ',
          h('button', { type: 'button', class: 'primary', id: 'restore-shown', onclick: () => restore(disk, path, version) },
            'Restore this version'),
          ' ',
          h('a', { href: href('file', { disk, path, tab }) }, 'Back to the current file'));

  const tabs = h(
    'nav',
    { class: 'tabs', role: 'tablist' },
    TABS.filter(([id]) => version === null || id === 'preview').map(([id, label]) =>
      h('a', {
        href: href('file', { disk, path, tab: id, version }),
        class: 'tab' + (id === tab ? ' active' : ''),
        role: 'tab', id: 'tab-' + id, 'aria-selected': String(id === tab),
      }, label)),
  );
  const panel = h('section', { class: 'tab-panel', id: 'panel-' + tab });
  fill(main, header, banner, tabs, panel);

  if (tab === 'meta') metaTab(panel, disk, artifact);
  else if (tab === 'history') await historyTab(panel, disk, path, stale);
  else {
    const target = h('div', { class: 'preview', id: 'preview' });
    panel.append(target);
    try {
      await renderPreview(target, disk, artifact, version);
    } catch (err) {
      fill(target, h('p', { class: 'error', role: 'alert' }, err.message));
    }
  }
}

async function goneView({ main, disk, path, name, stale }) {
  const panel = h('section', { class: 'tab-panel', id: 'panel-history' });
  fill(
    main,
    h('div', { class: 'file-head' }, h('div', {}, h('h1', { id: 'file-name' }, name))),
    h('div', { class: 'banner', id: 'gone-banner' },
      path + ' does not exist now (deleted or moved away). Restore one of its versions to bring it back.'),
    panel,
  );
  await historyTab(panel, disk, path, stale);
}

async function restore(disk, path, version) {
  const sure = await confirmAction(
    'Restore version ' + version + '?',
    path + ' gets the bytes and metadata of version ' + version + ' back, as a new version. Nothing is lost: the current state stays in the history.',
    'Restore',
  );
  if (!sure) return;
  try {
    await api.artifacts.restore(disk, path, version);
    toast('Restored version ' + version);
    go('file', { disk, path, tab: 'history' });
  } catch (err) {
    toast(err.message, 'error');
  }
}

/** Whether text is a JSON object; returns the error message when it is not. */
export function metaError(text) {
  let value;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return 'Not valid JSON: ' + e.message;
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return 'Metadata must be a JSON object: { "key": value, ... }';
  }
  if (Object.prototype.hasOwnProperty.call(value, '__artifact_info__')) {
    return '__artifact_info__ is the system info; it cannot be set.';
  }
  return null;
}

function metaTab(panel, disk, artifact) {
  const editor = h('textarea', {
    id: 'meta-editor', class: 'mono', rows: '14', spellcheck: 'false', 'aria-label': 'User metadata (JSON)',
    'aria-describedby': 'meta-error',
  });
  editor.value = JSON.stringify(api.userMeta(artifact), null, 2);
  const error = h('p', { class: 'error', id: 'meta-error', role: 'alert', hidden: true });
  const save = h('button', { type: 'submit', class: 'primary', id: 'meta-save' }, 'Save metadata');
  let etag = api.info(artifact).etag;
  const validate = () => {
    const problem = metaError(editor.value);
    error.textContent = problem || '';
    error.hidden = !problem;
    editor.classList.toggle('invalid', !!problem);
    editor.setAttribute('aria-invalid', String(!!problem));
    return problem;
  };
  editor.addEventListener('input', () => {
    if (!error.hidden) validate();
  });
  const form = h(
    'form',
    {
      class: 'meta-form', id: 'meta-form',
      onsubmit: async (e) => {
        e.preventDefault();
        if (validate()) return;
        save.disabled = true;
        try {
          const updated = (await api.artifacts.updateMeta(disk, api.fullPath(artifact), JSON.parse(editor.value), etag)).artifact;
          etag = api.info(updated).etag;
          editor.value = JSON.stringify(api.userMeta(updated), null, 2);
          fill(system, systemInfo(updated));
          const fact = document.querySelector('.fact.etag');
          if (fact) fact.textContent = 'etag ' + etag;
          toast('Metadata saved');
        } catch (err) {
          error.textContent = err.status === 412
            ? 'The file changed since it was opened; reload it to see its metadata now.'
            : err.message;
          error.hidden = false;
        } finally {
          save.disabled = false;
        }
      },
    },
    h('h2', {}, 'User metadata'),
    h('p', { class: 'hint' }, 'A JSON object; it replaces the file\'s metadata when saved.'),
    editor,
    error,
    h('div', { class: 'buttons' }, save),
  );
  const system = h('div', { id: 'system-info' }, systemInfo(artifact));
  fill(panel, h('div', { class: 'meta-grid' }, form, h('div', {}, h('h2', {}, 'System info'),
    h('p', { class: 'hint' }, '__artifact_info__, kept by the store (read-only).'), system)));
}

function systemInfo(artifact) {
  const info = api.info(artifact);
  return h('table', { class: 'kv' }, h('tbody', {},
    Object.entries(info).map(([k, v]) => h('tr', {}, h('th', {}, k), h('td', { class: 'mono' }, typeof v === 'string' ? v : JSON.stringify(v))))));
}

async function historyTab(panel, disk, path, stale) {
  const body = h('tbody', {});
  const more = h('button', { type: 'button', id: 'history-more', hidden: true }, 'Older versions');
  let cursor = null;
  let newest = true;
  const addPage = (page) => {
    for (const v of page.items) {
      const a = v.artifact;
      const info = a ? api.info(a) : {};
      const current = newest && a !== null; // the newest version is the file as it is now
      newest = false;
      body.append(
        h('tr', { class: 'version-row' + (current ? ' current' : ''), 'data-version': String(v.version) },
          h('td', { class: 'mono' }, String(v.version)),
          h('td', { class: 'change' }, v.change.replace('_', ' ') + (current ? ' (current)' : '')),
          h('td', {}, formatTime(v.changed_at)),
          h('td', {}, a ? formatSize(info.size_bytes) : '—'),
          h('td', { class: 'mono', title: info.etag || '' }, (info.etag || '').slice(0, 10)),
          h('td', { class: 'actions' },
            a
              ? [
                  h('a', { class: 'button small view-version', href: href('file', { disk, path, version: v.version }) }, 'Preview'),
                  h('button', { type: 'button', class: 'small download-version', onclick: () => download(disk, a, v.version) }, 'Download'),
                  current ? null : h('button', { type: 'button', class: 'small restore-version', onclick: () => restore(disk, path, v.version) }, 'Restore'),
                ]
              : h('span', { class: 'hint' }, 'no content')),
        ),
      );
    }
    cursor = page.has_more ? page.next_cursor : null;
    more.hidden = !cursor;
  };
  more.addEventListener('click', async () => addPage(await api.artifacts.versions(disk, path, cursor)));
  const first = await api.artifacts.versions(disk, path);
  if (stale()) return;
  addPage(first);
  fill(
    panel,
    first.items.length
      ? h('table', { class: 'list', id: 'history' },
          h('thead', {}, h('tr', {}, ['Version', 'Change', 'When', 'Size', 'ETag', ''].map((c) => h('th', {}, c)))),
          body)
      : h('p', { class: 'empty' }, 'No versions recorded (this store keeps no history).'),
    more,
  );
}
