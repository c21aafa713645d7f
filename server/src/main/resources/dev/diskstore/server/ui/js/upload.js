// Uploads: files and folders from a file input or dropped on the listing, one request per file
// (XMLHttpRequest, for its upload progress events), into the directory shown plus each file's
// relative folder.

import * as api from './api.js';
import { h, fill, formatSize, toast } from './dom.js';

/** [{file, dir}] of an <input type=file> (webkitRelativePath holds the folder of each file). */
export function filesOfInput(input, base) {
  return Array.from(input.files).map((file) => ({ file, dir: base + folderOf(file.webkitRelativePath) }));
}

function folderOf(relativePath) {
  if (!relativePath) return '';
  const slash = relativePath.lastIndexOf('/');
  return slash < 0 ? '' : relativePath.slice(0, slash + 1);
}

/**
 * [{file, dir}] of a drop: folders are walked (webkitGetAsEntry), plain files taken as they are
 * (a DataTransfer made by a script has files but no entries).
 */
export async function filesOfDrop(dataTransfer, base) {
  const entries = [];
  for (const item of Array.from(dataTransfer.items || [])) {
    const entry = item.kind === 'file' && item.webkitGetAsEntry ? item.webkitGetAsEntry() : null;
    if (entry) entries.push(entry);
  }
  if (!entries.length) {
    return Array.from(dataTransfer.files || []).map((file) => ({ file, dir: base }));
  }
  const out = [];
  async function walk(entry, dir) {
    if (entry.isFile) {
      const file = await new Promise((resolve, reject) => entry.file(resolve, reject));
      out.push({ file, dir });
    } else if (entry.isDirectory) {
      const reader = entry.createReader();
      for (;;) {
        const batch = await new Promise((resolve, reject) => reader.readEntries(resolve, reject));
        if (!batch.length) break;
        for (const child of batch) await walk(child, dir + entry.name + '/');
      }
    }
  }
  for (const entry of entries) await walk(entry, base);
  return out;
}

/**
 * Uploads the files one after another, showing each with a progress bar in `panel`; resolves with
 * the number stored.
 */
export async function uploadAll(disk, files, panel) {
  if (!files.length) return 0;
  const total = files.reduce((n, f) => n + f.file.size, 0);
  let done = 0;
  const overall = h('progress', { id: 'upload-progress', max: String(Math.max(total, 1)), value: '0' });
  const status = h('span', { class: 'upload-status' }, '0 of ' + files.length);
  const list = h('ul', { class: 'upload-list' });
  panel.dataset.progressEvents = '0';
  fill(panel, h('div', { class: 'upload-head' }, h('strong', {}, 'Uploading'), overall, status), list);
  panel.hidden = false;
  let stored = 0;
  const failures = [];
  for (const [i, { file, dir }] of files.entries()) {
    const bar = h('progress', { max: String(Math.max(file.size, 1)), value: '0' });
    const state = h('span', { class: 'state' }, formatSize(file.size));
    const row = h('li', { class: 'upload-item', 'data-path': dir + file.name }, h('span', { class: 'name' }, dir + file.name), bar, state);
    list.append(row);
    try {
      await api.upload(disk, dir, file, (loaded) => {
        bar.value = loaded;
        overall.value = done + loaded;
        panel.dataset.progressEvents = String(Number(panel.dataset.progressEvents || 0) + 1);
      });
      bar.value = Math.max(file.size, 1);
      state.textContent = 'done';
      row.classList.add('done');
      stored++;
    } catch (err) {
      state.textContent = err.message;
      row.classList.add('failed');
      failures.push(file.name + ': ' + err.message);
    }
    done += file.size;
    overall.value = done;
    status.textContent = i + 1 + ' of ' + files.length;
  }
  status.textContent = stored + ' of ' + files.length + ' uploaded' + (failures.length ? ', ' + failures.length + ' failed' : '');
  panel.classList.toggle('failed', failures.length > 0);
  if (failures.length) toast('Some uploads failed: ' + failures[0], 'error');
  else toast('Uploaded ' + stored + ' file' + (stored === 1 ? '' : 's'));
  return stored;
}
