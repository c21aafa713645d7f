// Search a disk: glob (paths), grep (regular expression, with the matching lines), full text
// (words, with a snippet) and metadata query (the JSON query language of POST .../query).

import * as api from './api.js';
import { h, fill, formatSize } from './dom.js';
import { href, go, setCrumbs } from './nav.js';
import { metaError } from './file.js';

const MODES = [
  ['glob', 'Glob (paths)', '**/*.md'],
  ['grep', 'Grep (regex in text)', 'TODO|FIXME'],
  ['text', 'Full text (words)', 'quarterly report'],
  ['meta', 'Metadata query (JSON)', ''],
];
const META_EXAMPLE = '{"and": [{"key": "author", "op": "eq", "value": "alice"},\n         {"field": "size_bytes", "op": "gt", "value": 100}]}';

export async function searchView({ main, params, stale }) {
  const disk = params.disk;
  const mode = MODES.some(([m]) => m === params.mode) ? params.mode : 'glob';
  const q = params.q || '';
  setCrumbs([['Disks', href('disks')], [disk.length > 12 ? disk.slice(0, 8) + '…' : disk, href('browse', { disk, path: '/' })], ['Search', null]]);

  const select = h('select', { id: 'search-mode', 'aria-label': 'Kind of search' },
    MODES.map(([m, label]) => h('option', { value: m, selected: m === mode }, label)));
  const input = h('input', { type: 'search', id: 'search-query', value: mode === 'meta' ? '' : q, 'aria-label': 'Search for', placeholder: '' });
  const textarea = h('textarea', { id: 'search-meta', class: 'mono', rows: '4', spellcheck: 'false', 'aria-label': 'Metadata query (JSON)' });
  textarea.value = mode === 'meta' ? q || META_EXAMPLE : META_EXAMPLE;
  const error = h('p', { class: 'error', id: 'search-error', role: 'alert', hidden: true });
  const help = h('p', { class: 'hint', id: 'search-help' });
  const showMode = () => {
    const m = select.value;
    const meta = m === 'meta';
    input.hidden = meta;
    textarea.hidden = !meta;
    input.placeholder = (MODES.find(([x]) => x === m) || [])[2] || '';
    help.textContent = meta
      ? 'Keys: {"key": k, "op": "eq|ne|lt|le|gt|ge|in|exists|not_exists|is_null", "value": v}; fields: {"field": "size_bytes|content_type|path|filename|updated_at|...", ...}; combine with {"and": [...]}, {"or": [...]}, {"not": q}, {"path_prefix": "/dir/"}.'
      : m === 'glob' ? '* matches within a path segment, ** across segments.'
      : m === 'grep' ? 'A regular expression, case-insensitive, matched line by line.'
      : 'Words that must all occur; results ranked by relevance.';
  };
  select.addEventListener('change', showMode);
  const form = h('form', {
    class: 'search-form card', id: 'search-form',
    onsubmit: (e) => {
      e.preventDefault();
      const m = select.value;
      const value = m === 'meta' ? textarea.value.trim() : input.value.trim();
      if (m === 'meta') {
        const problem = metaError(value);
        if (problem && !/__artifact_info__/.test(problem)) {
          error.textContent = problem.replace('Metadata must be', 'The query must be');
          error.hidden = false;
          return;
        }
      }
      go('search', { disk, mode: m, q: value });
    },
  }, h('div', { class: 'row' }, select, input, h('button', { type: 'submit', class: 'primary', id: 'search-go' }, 'Search')),
  textarea, help, error);
  showMode();
  const results = h('section', { id: 'search-results', class: 'results' });
  fill(main, h('h1', {}, 'Search'), form, results);
  if (!q) return;

  fill(results, h('p', { class: 'notice' }, 'Searching…'));
  try {
    if (mode === 'glob') {
      show(results, disk, await api.artifacts.glob(disk, q), () => null);
    } else if (mode === 'grep') {
      show(results, disk, await api.artifacts.grep(disk, q), (a) =>
        h('ol', { class: 'matches' }, (a.matches || []).map((m) =>
          h('li', { class: 'match' }, h('span', { class: 'line-number' }, String(m.line_number)), h('code', {}, m.line)))),
      );
    } else if (mode === 'text') {
      const hits = await api.artifacts.search(disk, q);
      show(results, disk, hits.map((x) => Object.assign({}, x.artifact, { snippet: x.snippet })), (a) =>
        h('p', { class: 'snippet' }, snippet(a.snippet)));
    } else {
      const query = JSON.parse(q);
      let page = await api.artifacts.query(disk, query);
      const items = [...page.items];
      show(results, disk, items, () => null);
      while (page.has_more && items.length < 1000 && !stale()) {
        page = await api.artifacts.query(disk, query, page.next_cursor);
        items.push(...page.items);
        show(results, disk, items, () => null);
      }
    }
  } catch (err) {
    if (stale()) return;
    fill(results);
    error.textContent = err.message;
    error.hidden = false;
  }
}

/** A snippet with its matched terms ("[term]") marked; all as text. */
function snippet(text) {
  const parts = [];
  const re = /\[([^\]]*)\]/g;
  let last = 0;
  let m;
  while ((m = re.exec(text || ''))) {
    parts.push(text.slice(last, m.index), h('mark', {}, m[1]));
    last = re.lastIndex;
  }
  parts.push((text || '').slice(last));
  return parts;
}

function show(results, disk, artifacts, detail) {
  fill(
    results,
    h('p', { class: 'count', id: 'result-count' }, artifacts.length + ' result' + (artifacts.length === 1 ? '' : 's')),
    h('ul', { class: 'result-list' },
      artifacts.map((a) => {
        const path = api.fullPath(a);
        return h('li', { class: 'result', 'data-path': path },
          h('a', { href: href('file', { disk, path }), class: 'result-link' }, path),
          h('span', { class: 'hint' }, ' ' + formatSize(api.info(a).size_bytes)),
          detail(a));
      })),
  );
}
