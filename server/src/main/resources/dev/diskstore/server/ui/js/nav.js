// Navigation: links to the screens and the breadcrumbs in the header.

import { h, fill } from './dom.js';

/** A link to a route: href('browse', {disk, path}) is "#/browse?disk=..&path=..". */
export function href(route, params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params || {})) {
    if (v !== null && v !== undefined && v !== '') q.set(k, String(v));
  }
  const s = q.toString();
  return '#/' + route + (s ? '?' + s : '');
}

export function go(route, params) {
  location.hash = href(route, params);
}

/** Breadcrumbs in the header: [label, href] pairs, the last one the current page. */
export function setCrumbs(items) {
  fill(
    document.getElementById('crumbs'),
    items.map(([label, link], i) => [
      i ? h('span', { class: 'sep', 'aria-hidden': 'true' }, '›') : null,
      i === items.length - 1 || !link
        ? h('span', { class: 'crumb current' }, label)
        : h('a', { class: 'crumb', href: link }, label),
    ]),
  );
}

/** Crumbs of a disk and a directory path: Disks › <disk> › docs › 2024. */
export function pathCrumbs(disk, path, last) {
  const items = [['Disks', href('disks')], [shortId(disk), href('browse', { disk, path: '/' })]];
  const parts = path.split('/').filter(Boolean);
  let at = '/';
  for (const part of parts) {
    at += part + '/';
    items.push([part, href('browse', { disk, path: at })]);
  }
  if (last) items.push([last, null]);
  return items;
}

export function shortId(id) {
  return id.length > 12 ? id.slice(0, 8) + '…' : id;
}


/** Renders the current screen again. */
export function refresh() {
  window.dispatchEvent(new HashChangeEvent('hashchange'));
}
