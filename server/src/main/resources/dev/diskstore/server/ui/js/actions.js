// File actions shared by the browse and file screens: move/rename and delete, with dialogs.

import * as api from './api.js';
import { h, dialog, confirmAction, toast } from './dom.js';

/** Asks for a new path and moves the file there; resolves with the moved artifact, or null. */
export async function moveFile(disk, artifact) {
  const from = api.fullPath(artifact);
  const input = h('input', { type: 'text', id: 'move-to', value: from, 'aria-label': 'New path', size: 50 });
  const overwrite = h('input', { type: 'checkbox', id: 'move-overwrite' });
  let moved = null;
  const pending = dialog({
    title: 'Move or rename',
    body: [
      h('p', {}, 'New path of ' + from + ' (a directory ending in / keeps the name):'),
      input,
      h('p', {}, h('label', {}, overwrite, ' Replace a file already there')),
    ],
    buttons: [
      { label: 'Cancel', value: null },
      { label: 'Move', value: 'move', class: 'primary' },
    ],
    beforeClose: async () => {
      let to = input.value.trim();
      if (!to.startsWith('/')) to = '/' + to;
      if (to.endsWith('/')) to += artifact.filename;
      if (to === from) return 'That is where the file is now.';
      try {
        moved = (await api.artifacts.move(disk, from, to, overwrite.checked)).artifact;
        return null;
      } catch (err) {
        return err.status === 412 ? 'A file exists at ' + to + '; tick "Replace" to overwrite it.' : err.message;
      }
    },
  });
  input.select();
  const value = await pending;
  if (value !== 'move' || !moved) return null;
  toast('Moved to ' + api.fullPath(moved));
  return moved;
}

/** Asks to confirm and deletes the file; resolves true when deleted. */
export async function deleteFile(disk, artifact) {
  const path = api.fullPath(artifact);
  const sure = await confirmAction(
    'Delete this file?',
    path + ' will be deleted. Its earlier versions stay in the history while the store keeps them.',
    'Delete file',
  );
  if (!sure) return false;
  try {
    await api.artifacts.remove(disk, path);
    toast([
      'Deleted ' + path + '. ',
      h('a', { href: '#/file?' + new URLSearchParams({ disk, path, tab: 'history' }), class: 'undo' }, 'Undo (restore)'),
    ]);
    return true;
  } catch (err) {
    toast(err.message, 'error');
    return false;
  }
}
