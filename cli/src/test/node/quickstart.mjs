// The Acontext Disk quickstart (../shared/reference/acontext-disk-quickstart.txt), step by step,
// through the official TypeScript SDK, against a running `diskstore serve`.
// Environment: ACONTEXT_BASE_URL, ACONTEXT_API_KEY (set by ServeSdkTest); OTHER_API_KEY, a token
// of another project, for the isolation checks. Every step checks what it got back; any mismatch
// throws, prints "FAILED: ..." and exits 1. The last line is "quickstart: N checks passed".
import { AcontextClient, FileUpload, APIError } from '@acontext/acontext';
import assert from 'node:assert/strict';

let checks = 0;
function check(condition, what) {
  assert.ok(condition, what);
  checks++;
}
function step(text) {
  console.log('✓ ' + text);
}

async function rejects(promise, status, what) {
  try {
    await promise;
  } catch (e) {
    check(e instanceof APIError, `${what}: an APIError, got ${e}`);
    check(e.statusCode === status, `${what}: HTTP ${status}, got ${e.statusCode} (${e.message})`);
    return e;
  }
  assert.fail(`${what}: expected HTTP ${status}, the call succeeded`);
}

async function main() {
  const client = new AcontextClient({
    apiKey: process.env.ACONTEXT_API_KEY,
    baseUrl: process.env.ACONTEXT_BASE_URL,
  });
  check((await client.ping()) === 'pong', 'ping answers pong');
  step('ping');

  // 1. Create a disk
  const disk = await client.disks.create();
  check(typeof disk.id === 'string' && disk.id.length > 0, 'disk id');
  check(typeof disk.project_id === 'string' && disk.project_id.length > 0, 'project_id');
  check(!Number.isNaN(Date.parse(disk.created_at)), 'created_at is a timestamp');
  step(`Created disk: ${disk.id} (project ${disk.project_id})`);

  // 2. Upload a file with path and metadata
  const body = '# Sprint Plan\n\n## Goals\n- Complete user authentication\n- Fix critical bugs';
  const artifact = await client.disks.artifacts.upsert(disk.id, {
    file: new FileUpload({ filename: 'sprint-plan.md', content: Buffer.from(body) }),
    filePath: '/documents/2024/',
    meta: { department: 'engineering', author: 'alice', version: '1.0' },
  });
  check(artifact.filename === 'sprint-plan.md', 'uploaded filename');
  check(artifact.path === '/documents/2024/', `uploaded path, got ${artifact.path}`);
  check(artifact.meta.author === 'alice' && artifact.meta.version === '1.0', 'uploaded meta');
  const info = artifact.meta.__artifact_info__;
  check(info.size === Buffer.byteLength(body) && info.size_bytes === info.size, 'size in info');
  check(info.filename === 'sprint-plan.md' && info.path === '/documents/2024/', 'path in info');
  check(typeof info.mime === 'string' && info.mime.startsWith('text/'), `mime ${info.mime}`);
  step(`Uploaded: ${artifact.filename}  Path: ${artifact.path}`);

  // 3. Retrieve with URL and content
  const got = await client.disks.artifacts.get(disk.id, {
    filePath: '/documents/2024/',
    filename: 'sprint-plan.md',
    withPublicUrl: true,
    withContent: true,
  });
  check(got.artifact.meta.department === 'engineering', 'get: meta');
  check(got.content && got.content.raw === body, 'get: content raw is the file');
  check(typeof got.content.type === 'string', 'get: content type');
  check(typeof got.public_url === 'string', 'get: public url');
  const download = await fetch(got.public_url);
  check(download.status === 200, `public url answers 200, got ${download.status}`);
  check((await download.text()) === body, 'public url serves the bytes, without a token');
  step(`Public URL: ${got.public_url}`);
  step(`Content (${got.content.type}): ${got.content.raw.slice(0, 30)}...`);

  // Acontext's defaults: both flags true when not given
  const defaults = await client.disks.artifacts.get(disk.id, {
    filePath: '/documents/2024', filename: 'sprint-plan.md',
  });
  check(defaults.content && defaults.content.raw === body, 'get defaults with_content to true');
  check(typeof defaults.public_url === 'string', 'get defaults with_public_url to true');
  const short = await client.disks.artifacts.get(disk.id, {
    filePath: '/documents/2024/', filename: 'sprint-plan.md',
    withPublicUrl: true, withContent: false, expire: 60,
  });
  check(short.content == null, 'with_content=false leaves content out');

  // 4. List a path
  await client.disks.artifacts.upsert(disk.id, {
    file: ['summary.txt', Buffer.from('Q4 summary'), 'text/plain'],
    filePath: '/documents/2024/q4/',
  });
  const listing = await client.disks.artifacts.list(disk.id, { path: '/documents/2024/' });
  check(listing.artifacts.map(a => a.filename).join() === 'sprint-plan.md', 'ls: files');
  check(listing.directories.join() === 'q4', `ls: directories ${listing.directories}`);
  const root = await client.disks.artifacts.list(disk.id);
  check(root.directories.join() === 'documents', 'ls /: directories');
  step(`Files: ${listing.artifacts.map(a => `${a.filename} (${a.meta.author})`)}  Directories: ${listing.directories}`);

  // 5. Update metadata
  const updated = await client.disks.artifacts.update(disk.id, {
    filePath: '/documents/2024/',
    filename: 'sprint-plan.md',
    meta: { department: 'engineering', author: 'alice', version: '1.1', reviewed: true, reviewed_by: 'bob' },
  });
  check(updated.artifact.meta.version === '1.1' && updated.artifact.meta.reviewed === true, 'update');
  check(updated.artifact.meta.__artifact_info__.size === Buffer.byteLength(body), 'update keeps info');
  const after = await client.disks.artifacts.get(disk.id, {
    filePath: '/documents/2024/', filename: 'sprint-plan.md', withContent: false, withPublicUrl: false,
  });
  check(after.artifact.meta.reviewed_by === 'bob', 'update persisted');
  step(`Updated metadata: version ${updated.artifact.meta.version}, reviewed by ${updated.artifact.meta.reviewed_by}`);

  // Upload forms of the advanced section: tuples with and without a content type, odd names
  const odd = await client.disks.artifacts.upsert(disk.id, {
    file: ['a b"é.txt', Buffer.from('odd name')],
    filePath: '/odd/',
  });
  check(odd.filename === 'a b"é.txt', `a name with a quote and non-ASCII, got ${odd.filename}`);
  const empty = await client.disks.artifacts.upsert(disk.id, { file: ['empty.bin', Buffer.alloc(0)] });
  check(empty.path === '/' && empty.meta.__artifact_info__.size === 0, 'an empty file at the root');
  step('Uploaded tuples, an odd name and an empty file');

  // Errors come back as the SDK's APIError with Acontext's status codes
  await rejects(client.disks.artifacts.get(disk.id, { filePath: '/nope/', filename: 'x.md' }),
    404, 'a missing artifact');
  await rejects(client.disks.artifacts.list('00000000-0000-0000-0000-000000000000'), 404,
    'a missing disk');
  const stranger = new AcontextClient({ apiKey: 'sk-ac-wrong', baseUrl: process.env.ACONTEXT_BASE_URL });
  await rejects(stranger.disks.list(), 401, 'a wrong API key');
  if (process.env.OTHER_API_KEY) {
    const other = new AcontextClient({ apiKey: process.env.OTHER_API_KEY, baseUrl: process.env.ACONTEXT_BASE_URL });
    await rejects(other.disks.artifacts.list(disk.id), 404, "another project's disk");
    const theirs = await other.disks.list({ limit: 100 });
    check(!theirs.items.some(d => d.id === disk.id), "another project's listing leaves the disk out");
    check(theirs.items.every(d => d.project_id !== disk.project_id), 'projects differ');
  }
  step('Errors: 404 missing artifact and disk, 401 wrong key, 404 for another project');

  // Pagination of disks
  for (let i = 0; i < 3; i++) await client.disks.create();
  const page1 = await client.disks.list({ limit: 2, timeDesc: true });
  check(page1.items.length === 2 && page1.has_more === true && page1.next_cursor, 'page 1');
  const page2 = await client.disks.list({ limit: 2, cursor: page1.next_cursor, timeDesc: true });
  check(page2.items.length >= 2, 'page 2');
  check(!page2.items.some(d => page1.items.some(e => e.id === d.id)), 'pages do not overlap');
  step(`Paginated disks: ${page1.items.length} + ${page2.items.length}, has_more=${page2.has_more}`);

  // 6. Clean up
  await client.disks.artifacts.delete(disk.id, { filePath: '/documents/2024/', filename: 'sprint-plan.md' });
  await rejects(client.disks.artifacts.get(disk.id, { filePath: '/documents/2024/', filename: 'sprint-plan.md' }),
    404, 'a deleted artifact');
  const gone = await fetch(got.public_url);
  check(gone.status === 404, `a deleted artifact's URL answers 404, got ${gone.status}`);
  await client.disks.delete(disk.id);
  await rejects(client.disks.artifacts.list(disk.id), 404, 'a deleted disk');
  step('Cleaned up resources');

  console.log(`quickstart: ${checks} checks passed`);
}

main().catch(e => {
  console.log(`FAILED: ${e && e.stack ? e.stack : e}`);
  process.exit(1);
});
