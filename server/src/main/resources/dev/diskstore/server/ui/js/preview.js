// Previews of stored files. Nothing a stored file holds can run script here: text goes in as text
// (textContent); Markdown and highlighted code go through DOMPurify; images are shown from blob:
// URLs of fetched bytes in <img> (an SVG in an <img> runs no script); HTML is shown as source.
// Large files are previewed from their first PREVIEW_BYTES (an HTTP Range request).

import { marked } from '../vendor/marked.esm.js';
import DOMPurify from '../vendor/purify.es.mjs';
import hljs from '../vendor/highlight/core.js';
import * as api from './api.js';
import { h, fill, formatSize } from './dom.js';

/** Bytes of a text file fetched for its preview. */
export const PREVIEW_BYTES = 256 * 1024;
/** The most bytes of a text file a preview grows to ("Show 4× more"). */
const MAX_PREVIEW_BYTES = 16 * 1024 * 1024;
/** Images up to this size are shown inline. */
const IMAGE_BYTES = 20 * 1024 * 1024;
/** Rows of a CSV file shown. */
const CSV_ROWS = 1000;
/** Nodes of a JSON tree built. */
const JSON_NODES = 5000;

const LANGUAGES = {
  bash: ['sh', 'bash', 'zsh'],
  c: ['c', 'h'],
  cpp: ['cpp', 'cc', 'cxx', 'hpp', 'hh'],
  csharp: ['cs'],
  css: ['css'],
  diff: ['diff', 'patch'],
  dockerfile: ['dockerfile'],
  go: ['go'],
  ini: ['ini', 'toml', 'cfg', 'properties'],
  java: ['java'],
  javascript: ['js', 'mjs', 'cjs', 'jsx'],
  json: ['json', 'jsonl', 'ndjson', 'ipynb', 'geojson'],
  kotlin: ['kt', 'kts'],
  markdown: ['md', 'markdown'],
  php: ['php'],
  python: ['py', 'pyi'],
  ruby: ['rb'],
  rust: ['rs'],
  scala: ['scala'],
  sql: ['sql'],
  swift: ['swift'],
  typescript: ['ts', 'tsx'],
  xml: ['xml', 'html', 'htm', 'svg', 'xhtml', 'plist'],
  yaml: ['yaml', 'yml'],
};
const LANGUAGE_OF = {};
for (const [language, extensions] of Object.entries(LANGUAGES)) {
  for (const e of extensions) LANGUAGE_OF[e] = language;
}

const IMAGE_TYPES = new Set([
  'image/png', 'image/jpeg', 'image/gif', 'image/webp', 'image/bmp', 'image/avif',
  'image/svg+xml', 'image/x-icon', 'image/vnd.microsoft.icon',
]);
const DOCUMENT_TYPES = [
  'application/pdf', 'application/msword', 'application/rtf', 'text/rtf', 'application/epub+zip',
  'application/vnd.openxmlformats-officedocument', 'application/vnd.oasis.opendocument',
  'application/vnd.ms-excel', 'application/vnd.ms-powerpoint',
];
const DOCUMENT_EXTENSIONS = new Set([
  'pdf', 'doc', 'docx', 'xls', 'xlsx', 'ppt', 'pptx', 'odt', 'ods', 'odp', 'rtf', 'epub',
]);
const TEXT_TYPES = [
  'text/', 'application/json', 'application/xml', 'application/javascript', 'application/x-sh',
  'application/sql', 'application/yaml', 'application/x-yaml', 'application/toml',
  'application/x-ndjson', '+json', '+xml',
];

function extension(name) {
  const dot = name.lastIndexOf('.');
  return dot < 0 ? name.toLowerCase() : name.slice(dot + 1).toLowerCase();
}

function baseType(contentType) {
  return (contentType || '').split(';')[0].trim().toLowerCase();
}

/**
 * What a file is shown as: markdown, json, csv, image, pdf, document (extracted text), code, text,
 * or unknown (sniffed: text when its first bytes are, else a download).
 */
export function kindOf(filename, contentType) {
  const ext = extension(filename);
  const type = baseType(contentType);
  if (ext === 'md' || ext === 'markdown' || type === 'text/markdown') return 'markdown';
  if (ext === 'json' || type === 'application/json' || (type.endsWith('+json') && ext !== 'ipynb')) {
    return 'json';
  }
  if (ext === 'csv' || ext === 'tsv' || type === 'text/csv' || type === 'text/tab-separated-values') {
    return 'csv';
  }
  if (IMAGE_TYPES.has(type)) return 'image';
  if (type === 'application/pdf' || ext === 'pdf') return 'pdf';
  if (DOCUMENT_EXTENSIONS.has(ext) || DOCUMENT_TYPES.some((t) => type.startsWith(t))) return 'document';
  if (LANGUAGE_OF[ext]) return 'code';
  if (TEXT_TYPES.some((t) => (t.startsWith('+') ? type.endsWith(t) : type.startsWith(t)))) {
    return 'text';
  }
  return 'unknown';
}

/** The highlight.js language of a file name, or null. */
export function languageOf(filename) {
  return LANGUAGE_OF[extension(filename)] || null;
}

const loaded = new Map();
async function loadLanguage(language) {
  if (!loaded.has(language)) {
    loaded.set(
      language,
      import('../vendor/highlight/languages/' + language + '.js').then((m) => {
        hljs.registerLanguage(language, m.default);
      }),
    );
  }
  return loaded.get(language);
}

function decode(bytes) {
  return new TextDecoder('utf-8', { fatal: false }).decode(bytes);
}

/** Whether the bytes look like text (no NUL, valid UTF-8). */
function looksLikeText(bytes) {
  if (bytes.includes(0)) return false;
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, Math.max(0, bytes.length - 4)));
    return true;
  } catch (e) {
    return false;
  }
}

function notice(text) {
  return h('p', { class: 'notice' }, text);
}

function partialNotice(part, onMore) {
  if (!part.partial) return null;
  return h(
    'p',
    { class: 'notice partial' },
    'Showing the first ' + formatSize(part.bytes.length) + ' of ' + formatSize(part.size) + '. ',
    onMore && part.bytes.length < MAX_PREVIEW_BYTES
      ? h('button', { type: 'button', class: 'link', onclick: onMore }, 'Show 4× more')
      : 'Download the file to see all of it.',
  );
}

/** Source text with syntax highlighting (the highlighter's HTML, sanitised to spans). */
export async function codeBlock(text, language) {
  const code = h('code', { class: 'hljs' });
  if (language && text.length <= 512 * 1024) {
    try {
      await loadLanguage(language);
      const html = hljs.highlight(text, { language, ignoreIllegals: true }).value;
      code.innerHTML = DOMPurify.sanitize(html, { ALLOWED_TAGS: ['span'], ALLOWED_ATTR: ['class'] });
      code.dataset.language = language;
    } catch (e) {
      code.textContent = text;
    }
  } else {
    code.textContent = text;
  }
  return h('pre', { class: 'code' }, code);
}

/** A path relative to directory `dir`: "../a.png" from "/docs/x/" is "/docs/a.png". */
function resolvePath(dir, relative) {
  const parts = (relative.startsWith('/') ? '' : dir).split('/').filter(Boolean);
  for (const part of relative.split('/')) {
    if (part === '..') parts.pop();
    else if (part && part !== '.') parts.push(part);
  }
  return '/' + parts.join('/');
}

const SCHEME = /^[a-z][a-z0-9+.-]*:/i;

function safeDecode(s) {
  try {
    return decodeURIComponent(s);
  } catch (e) {
    return s;
  }
}

/**
 * Markdown as sanitised HTML: no script, no style, no forms; images of the same disk are fetched
 * through the API (blob: URLs), others are left out; links to other files of the disk open them
 * here, other links open in a new tab without a referrer.
 */
export function renderMarkdown(text, { disk, dir }) {
  const raw = marked.parse(text, { gfm: true, async: false });
  DOMPurify.addHook('afterSanitizeAttributes', (node) => {
    if (node.tagName === 'IMG') {
      const src = node.getAttribute('src') || '';
      node.removeAttribute('src');
      node.removeAttribute('data-path');
      if (src && !SCHEME.test(src) && !src.startsWith('//') && disk) {
        // fetched through the API below: a file of the same disk, with the user's token
        node.setAttribute('data-path', resolvePath(dir, safeDecode(src.split(/[?#]/)[0])));
      } else if (src.startsWith('data:image/')) {
        node.setAttribute('src', src);
      } else {
        node.setAttribute('alt', '[image not shown: ' + (node.getAttribute('alt') || src) + ']');
      }
    }
    if (node.tagName === 'A' && node.hasAttribute('href')) {
      const href = node.getAttribute('href');
      if (href.startsWith('#')) {
        node.removeAttribute('href');
      } else if (SCHEME.test(href) || href.startsWith('//')) {
        node.setAttribute('target', '_blank');
        node.setAttribute('rel', 'noopener noreferrer');
      } else if (disk) {
        const path = resolvePath(dir, safeDecode(href.split(/[?#]/)[0]));
        node.setAttribute('href', '#/file?' + new URLSearchParams({ disk, path }));
      }
    }
  });
  let clean;
  try {
    clean = DOMPurify.sanitize(raw, {
      FORBID_TAGS: ['style', 'form', 'input', 'button', 'textarea', 'select', 'iframe', 'svg', 'math'],
      FORBID_ATTR: ['style', 'srcset'],
    });
  } finally {
    DOMPurify.removeHook('afterSanitizeAttributes');
  }
  const article = h('article', { class: 'markdown' });
  article.innerHTML = clean;
  // fenced code blocks with a known language get highlighted too
  for (const code of article.querySelectorAll('pre > code[class^="language-"]')) {
    const language = LANGUAGES[code.className.slice(9)] ? code.className.slice(9) : LANGUAGE_OF[code.className.slice(9)];
    if (!language) continue;
    const text = code.textContent;
    codeBlock(text, language).then((pre) => code.parentNode.replaceWith(pre));
  }
  let count = 0;
  for (const img of article.querySelectorAll('img[data-path]')) {
    if (++count > 20) break;
    api.bytes(disk, img.dataset.path, { limit: IMAGE_BYTES }).then(
      (part) => {
        if (IMAGE_TYPES.has(baseType(part.contentType)) && !part.partial) {
          img.src = URL.createObjectURL(new Blob([part.bytes], { type: baseType(part.contentType) }));
        }
      },
      () => img.setAttribute('alt', '[image not found: ' + img.dataset.path + ']'),
    );
  }
  return article;
}

/** A foldable tree of a JSON value: <details> per object and array, text for the leaves. */
export function jsonTree(value) {
  let budget = JSON_NODES;
  function node(key, v, depth) {
    budget--;
    const label = key === null ? null : h('span', { class: 'json-key' }, JSON.stringify(key) + ': ');
    if (budget < 0) return h('div', { class: 'json-leaf' }, '…');
    if (v !== null && typeof v === 'object') {
      const isArray = Array.isArray(v);
      const entries = isArray ? v.map((x, i) => [i, x]) : Object.entries(v);
      const summary = h(
        'summary',
        {},
        label,
        h('span', { class: 'json-brace' }, isArray ? '[' : '{'),
        h('span', { class: 'json-count' }, ' ' + entries.length + (isArray ? ' items ' : ' keys ')),
        h('span', { class: 'json-brace' }, isArray ? ']' : '}'),
      );
      const details = h('details', { class: 'json-node', open: depth < 2 }, summary);
      for (const [k, x] of entries) {
        details.append(node(isArray ? null : k, x, depth + 1));
        if (budget < 0) break;
      }
      return details;
    }
    const type = v === null ? 'null' : typeof v;
    return h('div', { class: 'json-leaf' }, label, h('span', { class: 'json-' + type }, JSON.stringify(v)));
  }
  return h('div', { class: 'json-tree' }, node(null, value, 0));
}

/** CSV (or TSV) text as rows of fields (RFC 4180 quoting). */
export function parseCsv(text, delimiter) {
  const rows = [];
  let row = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else {
          quoted = false;
        }
      } else {
        field += c;
      }
    } else if (c === '"' && field === '') {
      quoted = true;
    } else if (c === delimiter) {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      if (rows.length > CSV_ROWS) break;
    } else {
      field += c;
    }
  }
  if (field !== '' || row.length) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

function csvTable(text, delimiter, partial) {
  let rows = parseCsv(text, delimiter);
  if (partial && rows.length > 1) rows = rows.slice(0, -1); // the last line may be cut
  const more = rows.length > CSV_ROWS + 1;
  rows = rows.slice(0, CSV_ROWS + 1);
  const [head, ...body] = rows.length ? rows : [[]];
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      { class: 'csv' },
      h('thead', {}, h('tr', {}, head.map((c) => h('th', {}, c)))),
      h('tbody', {}, body.map((r) => h('tr', {}, r.map((c) => h('td', {}, c))))),
    ),
    more ? notice('Showing the first ' + CSV_ROWS + ' rows.') : null,
  );
}

/** Saves bytes as a file (an <a download> on a blob: URL; the browser never renders them). */
export function saveBytes(bytes, filename) {
  const url = URL.createObjectURL(new Blob([bytes], { type: 'application/octet-stream' }));
  const a = h('a', { href: url, download: filename, hidden: true });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60000);
}

/**
 * Downloads a file: the current one through its download URL (the browser streams it to disk;
 * the server sends it as an attachment), an old version through the API.
 */
export async function download(disk, artifact, version) {
  const path = api.fullPath(artifact);
  if (version === null || version === undefined) {
    try {
      const got = await api.artifacts.get(disk, path, { with_content: false, with_public_url: true, expire: 600 });
      if (got.public_url && /^https?:/.test(got.public_url)) {
        const a = h('a', { href: got.public_url, download: artifact.filename, hidden: true });
        document.body.append(a);
        a.click();
        a.remove();
        return;
      }
    } catch (e) {
      // no URL from this store: fetch the bytes instead
    }
  }
  const part = await api.bytes(disk, path, { version });
  saveBytes(part.bytes, artifact.filename);
}

/** Opens a PDF in the browser's own viewer (a blob: URL typed application/pdf). */
async function openPdf(disk, artifact, version) {
  const part = await api.bytes(disk, api.fullPath(artifact), { version });
  const url = URL.createObjectURL(new Blob([part.bytes], { type: 'application/pdf' }));
  window.open(url, '_blank', 'noopener');
  setTimeout(() => URL.revokeObjectURL(url), 5 * 60000);
}

/** Extracted text of a document (PDF, Office...), from the API's content. */
async function extractedText(disk, artifact, version) {
  const got = await api.artifacts.get(disk, api.fullPath(artifact), {
    with_content: true,
    with_public_url: false,
    version,
  });
  if (got.content && typeof got.content.raw === 'string') {
    return h(
      'div',
      { class: 'extracted' },
      notice('Text extracted by the store' + (got.content.truncated ? ' (truncated)' : '') + ':'),
      h('pre', { class: 'text' }, got.content.raw),
    );
  }
  return notice(
    'No text could be extracted' +
      (got.content_unavailable ? ' (' + got.content_unavailable.replace('_', ' ') + ')' : '') +
      '. Download the file to open it.',
  );
}

/**
 * Renders the preview of `artifact` (of `version`, or the current one) into `target`. `limit` is
 * the number of bytes of a text file to fetch.
 */
export async function renderPreview(target, disk, artifact, version, limit) {
  const info = api.info(artifact);
  const type = info.content_type || info.mime || '';
  const size = info.size_bytes;
  const path = api.fullPath(artifact);
  let kind = kindOf(artifact.filename, type);
  limit = limit || PREVIEW_BYTES;
  const more = () => renderPreview(target, disk, artifact, version, limit * 4);
  target.dataset.kind = kind;
  fill(target, notice('Loading…'));

  if (kind === 'image') {
    if (size > IMAGE_BYTES) {
      fill(target, notice('This image is ' + formatSize(size) + ': download it to view it.'));
      return;
    }
    const part = await api.bytes(disk, path, { version });
    const url = URL.createObjectURL(new Blob([part.bytes], { type: baseType(type) }));
    fill(target, h('div', { class: 'image' }, h('img', { src: url, alt: artifact.filename, class: 'preview-image' })));
    return;
  }
  if (kind === 'pdf' || kind === 'document') {
    const actions =
      kind === 'pdf'
        ? h('p', {}, h('button', { type: 'button', class: 'open-pdf', onclick: () => openPdf(disk, artifact, version) },
            "Open in the browser's PDF viewer"))
        : null;
    fill(target, actions, await extractedText(disk, artifact, version));
    return;
  }
  if (kind === 'unknown') {
    const sample = await api.bytes(disk, path, { limit: 4096, version });
    if (!sample.bytes.length || !looksLikeText(sample.bytes)) {
      target.dataset.kind = 'binary';
      fill(
        target,
        h('div', { class: 'binary' },
          notice('No preview for ' + (type || 'this type') + ' (' + formatSize(size) + ').'),
          h('button', { type: 'button', class: 'download-binary', onclick: () => download(disk, artifact, version) }, 'Download')),
      );
      return;
    }
    kind = 'text';
    target.dataset.kind = kind;
  }
  const part = await api.bytes(disk, path, { limit: size > limit ? limit : undefined, version });
  const text = decode(part.bytes);
  const head = partialNotice(part, more);
  if (kind === 'markdown') {
    fill(target, head, renderMarkdown(text, { disk, dir: artifact.path }));
  } else if (kind === 'json') {
    let value;
    let error = null;
    if (!part.partial) {
      try {
        value = JSON.parse(text);
      } catch (e) {
        error = e.message;
      }
    }
    if (!part.partial && error === null) {
      fill(target, jsonTree(value));
    } else {
      fill(target, head, error ? notice('Not valid JSON (' + error + '); shown as text.') : null,
        await codeBlock(text, 'json'));
    }
  } else if (kind === 'csv') {
    const delimiter = extension(artifact.filename) === 'tsv' || baseType(type) === 'text/tab-separated-values' ? '\t' : ',';
    fill(target, head, csvTable(text, delimiter, part.partial));
  } else {
    fill(target, head, await codeBlock(text, languageOf(artifact.filename)));
  }
}
