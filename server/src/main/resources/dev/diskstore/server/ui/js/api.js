// The server's /api/v1 API, with the bearer token kept in sessionStorage (this tab only, gone when
// it closes). Every call goes to this origin; answers are Acontext envelopes {code, data, msg}.

const TOKEN_KEY = 'diskstore.token';
export const API = document.querySelector('meta[name="diskstore-api"]').content;

/** A failed call: HTTP status and the server's message. */
export class ApiError extends Error {
  constructor(status, message, etag) {
    super(message);
    this.status = status;
    this.etag = etag;
  }
}

export function token() {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function setToken(value) {
  if (value === null) sessionStorage.removeItem(TOKEN_KEY);
  else sessionStorage.setItem(TOKEN_KEY, value);
}

function authHeaders(extra) {
  const headers = Object.assign({}, extra);
  const t = token();
  if (t) headers.Authorization = 'Bearer ' + t;
  return headers;
}

function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params || {})) {
    if (v !== null && v !== undefined && v !== '') q.set(k, String(v));
  }
  const s = q.toString();
  return s ? '?' + s : '';
}

/**
 * Whether the server takes every caller (no tokens configured): asked once, without a token. The
 * answer of a server with tokens is a 401, which the browser logs.
 */
export async function openServer() {
  try {
    const response = await fetch(API + '/disk?limit=1', { cache: 'no-store' });
    return response.ok;
  } catch (e) {
    return false;
  }
}

/** Listeners told when the server refuses the token (401): the page shows the login form. */
const unauthorized = [];
export function onUnauthorized(fn) {
  unauthorized.push(fn);
}

async function failure(response) {
  let message = response.status + ' ' + response.statusText;
  try {
    const body = await response.json();
    if (body && body.msg) message = body.msg;
  } catch (e) {
    // not JSON: keep the status line
  }
  if (response.status === 401) unauthorized.forEach((fn) => fn());
  return new ApiError(response.status, message, response.headers.get('ETag'));
}

/** A JSON call; resolves with the envelope's data. */
export async function call(method, path, { params, body, headers } = {}) {
  const init = { method, headers: authHeaders(headers), cache: 'no-store' };
  if (body !== undefined) {
    init.body = JSON.stringify(body);
    init.headers['Content-Type'] = 'application/json';
  }
  const response = await fetch(API + path + query(params), init);
  if (!response.ok) throw await failure(response);
  const envelope = await response.json();
  return envelope.data;
}

/**
 * Bytes of a file: all of them, or the first `limit` when given (an HTTP Range request, so a large
 * file is never loaded whole). Resolves {bytes: Uint8Array, partial, size, contentType}.
 */
export async function bytes(disk, filePath, { limit, version } = {}) {
  const headers = authHeaders(limit ? { Range: 'bytes=0-' + (limit - 1) } : {});
  const response = await fetch(
    API + '/disk/' + encodeURIComponent(disk) + '/artifact/download' +
      query({ file_path: filePath, version }),
    { headers, cache: 'no-store' },
  );
  if (!response.ok) throw await failure(response);
  const buffer = new Uint8Array(await response.arrayBuffer());
  let size = buffer.length;
  const range = response.headers.get('Content-Range');
  if (response.status === 206 && range) {
    const total = range.split('/')[1];
    if (total && total !== '*') size = Number(total);
  }
  return {
    bytes: buffer,
    partial: response.status === 206 && buffer.length < size,
    size,
    contentType: response.headers.get('Content-Type') || 'application/octet-stream',
  };
}

export const disks = {
  list: (params) => call('GET', '/disk', { params }),
  create: (user) => call('POST', '/disk', { body: user ? { user } : {} }),
  remove: (id) => call('DELETE', '/disk/' + encodeURIComponent(id)),
};

const d = (disk) => '/disk/' + encodeURIComponent(disk) + '/artifact';

export const artifacts = {
  ls: (disk, path, limit, cursor) => call('GET', d(disk) + '/ls', { params: { path, limit, cursor } }),
  get: (disk, filePath, params) => call('GET', d(disk), { params: Object.assign({ file_path: filePath }, params) }),
  updateMeta: (disk, filePath, meta, etag) =>
    call('PUT', d(disk), {
      body: { file_path: filePath, meta: JSON.stringify(meta) },
      headers: etag ? { 'If-Match': '"' + etag + '"' } : {},
    }),
  remove: (disk, filePath) => call('DELETE', d(disk), { params: { file_path: filePath } }),
  move: (disk, from, to, overwrite) =>
    call('POST', d(disk) + '/move', { body: { from_path: from, to_path: to, overwrite: !!overwrite } }),
  versions: (disk, filePath, cursor) =>
    call('GET', d(disk) + '/versions', { params: { file_path: filePath, limit: 50, cursor } }),
  restore: (disk, filePath, version) =>
    call('POST', d(disk) + '/restore', { body: { file_path: filePath, version } }),
  glob: (disk, q) => call('GET', d(disk) + '/glob', { params: { query: q, limit: 200 } }),
  grep: (disk, q) => call('GET', d(disk) + '/grep', { params: { query: q, limit: 200, matches_per_file: 5 } }),
  search: (disk, q) => call('GET', d(disk) + '/search', { params: { query: q, limit: 100 } }),
  query: (disk, q, cursor) => call('POST', d(disk) + '/query', { body: { query: q, limit: 100, cursor } }),
};

/**
 * Uploads one file into directory `dir` with XMLHttpRequest (fetch has no upload progress);
 * onProgress(loaded, total) is called as the bytes go. Resolves with the stored artifact.
 */
export function upload(disk, dir, file, onProgress) {
  return new Promise((resolve, reject) => {
    const form = new FormData();
    form.append('file_path', dir);
    form.append('file', file, file.name);
    const xhr = new XMLHttpRequest();
    xhr.open('POST', API + d(disk));
    const t = token();
    if (t) xhr.setRequestHeader('Authorization', 'Bearer ' + t);
    xhr.upload.addEventListener('progress', (e) => {
      if (e.lengthComputable && onProgress) onProgress(e.loaded, e.total);
    });
    xhr.addEventListener('load', () => {
      let body = null;
      try {
        body = JSON.parse(xhr.responseText);
      } catch (e) {
        // not JSON
      }
      if (xhr.status >= 200 && xhr.status < 300) {
        resolve(body && body.data);
      } else {
        if (xhr.status === 401) unauthorized.forEach((fn) => fn());
        reject(new ApiError(xhr.status, (body && body.msg) || 'upload failed: ' + xhr.status));
      }
    });
    xhr.addEventListener('error', () => reject(new ApiError(0, 'upload failed: network error')));
    xhr.send(form);
  });
}

/** A file's full path, "/docs/" + "a.md". */
export function fullPath(artifact) {
  return artifact.path + artifact.filename;
}

/** The system info of an artifact (__artifact_info__). */
export function info(artifact) {
  return (artifact.meta && artifact.meta.__artifact_info__) || {};
}

/** The user's metadata of an artifact: meta without __artifact_info__. */
export function userMeta(artifact) {
  const meta = Object.assign({}, artifact.meta || {});
  delete meta.__artifact_info__;
  return meta;
}
