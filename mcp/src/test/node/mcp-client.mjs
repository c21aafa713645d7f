// The official MCP TypeScript SDK's client against DiskStore's MCP server, checking every answer.
// Environment (set by the JUnit tests that run this script):
//   MCP_TRANSPORT   "stdio" or "http"
//   MCP_DISK        the disk the server serves
//   stdio: MCP_COMMAND, a JSON array: the command line that starts `diskstore mcp`
//   http:  MCP_URL (e.g. http://127.0.0.1:PORT/mcp?disk=ID), MCP_TOKEN, MCP_OTHER_TOKEN (another
//          project's token, which must not reach the disk)
// Any mismatch throws, prints "FAILED: ..." and exits 1; the last line is "mcp-<transport>: N checks passed".
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ResourceUpdatedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import assert from 'node:assert/strict';

const mode = process.env.MCP_TRANSPORT;
const disk = process.env.MCP_DISK;
let checks = 0;
function check(condition, what) {
  assert.ok(condition, what);
  checks++;
}
function step(text) {
  console.log('✓ ' + text);
}

function transport(token) {
  if (mode === 'stdio') {
    const [command, ...args] = JSON.parse(process.env.MCP_COMMAND);
    return new StdioClientTransport({ command, args, stderr: 'inherit' });
  }
  return new StreamableHTTPClientTransport(new URL(process.env.MCP_URL), {
    requestInit: { headers: { Authorization: `Bearer ${token}` } },
  });
}

const text = (result) => result.content.map((c) => c.text).join('\n');

async function main() {
  const client = new Client({ name: 'diskstore-sdk-check', version: '1.0.0' });
  await client.connect(transport(process.env.MCP_TOKEN));
  check(client.getServerVersion().name === 'diskstore', 'server name');
  check(client.getServerCapabilities().resources?.subscribe === true, 'resources/subscribe');
  step(`connected over ${mode} to ${client.getServerVersion().name}`);

  const { tools } = await client.listTools();
  const names = tools.map((t) => t.name);
  for (const name of ['write_file_disk', 'read_file_disk', 'replace_string_disk', 'list_disk',
    'grep_disk', 'glob_disk', 'download_file_disk', 'delete_file_disk', 'move_file_disk']) {
    check(names.includes(name), `tool ${name} listed`);
  }
  const write = tools.find((t) => t.name === 'write_file_disk');
  check(write.inputSchema.type === 'object' && write.inputSchema.required.includes('content'),
    'write_file_disk schema requires content');
  step(`tools/list: ${names.join(', ')}`);

  const created = await client.callTool({ name: 'write_file_disk', arguments: {
    file_path: '/notes/', filename: 'todo.md', content: '# TODO\n- call Bob\n' } });
  check(!created.isError, `write: ${text(created)}`);
  check(text(created).startsWith('Created /notes/todo.md'), `write says created: ${text(created)}`);
  const etag = /etag: (\S+)$/.exec(text(created))[1];
  step(`write_file_disk: ${text(created)}`);

  const read = await client.callTool({ name: 'read_file_disk', arguments: { filename: '/notes/todo.md' } });
  check(!read.isError && text(read).includes(`etag: ${etag}`), `read shows the etag: ${text(read)}`);
  check(text(read).includes('2| - call Bob'), 'read shows numbered lines');
  step('read_file_disk: ' + text(read).split('\n')[0]);

  const grep = await client.callTool({ name: 'grep_disk', arguments: { query: 'Bob' } });
  check(text(grep).includes('/notes/todo.md:2: - call Bob'), `grep: ${text(grep)}`);
  step('grep_disk: ' + text(grep).split('\n')[1]);

  const stale = await client.callTool({ name: 'replace_string_disk', arguments: {
    filename: '/notes/todo.md', old_string: 'Bob', new_string: 'Alice', expected_etag: 'stale' } });
  check(stale.isError === true, 'a stale etag is a tool error');
  check(text(stale).startsWith('Error: ') && text(stale).includes('changed since you read it'),
    `stale etag explained: ${text(stale)}`);
  step('replace_string_disk with a stale etag: ' + text(stale).slice(0, 80) + '...');

  const resource = `diskstore://${disk}/notes/todo.md`;
  await client.subscribeResource({ uri: resource });
  const updated = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no notifications/resources/updated in 30 s')), 30000);
    client.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => {
      clearTimeout(timer);
      resolve(n.params.uri);
    });
  });
  const edited = await client.callTool({ name: 'replace_string_disk', arguments: {
    filename: '/notes/todo.md', old_string: 'Bob', new_string: 'Alice', expected_etag: etag } });
  check(!edited.isError && text(edited).startsWith('Replaced 1 occurrence'), `edit: ${text(edited)}`);
  step(`replace_string_disk with the etag read: ${text(edited)}`);
  check((await updated) === resource, 'notifications/resources/updated names the file');
  step(`notifications/resources/updated: ${resource}`);

  const { resources } = await client.listResources();
  const listed = resources.find((r) => r.uri === resource);
  check(listed !== undefined, `resources/list has ${resource}: ${JSON.stringify(resources)}`);
  check(listed.mimeType.startsWith('text/markdown') && listed.name === 'todo.md', 'resource type and name');
  step(`resources/list: ${resources.map((r) => r.uri).join(', ')}`);

  const contents = (await client.readResource({ uri: resource })).contents[0];
  check(contents.text === '# TODO\n- call Alice\n', `resources/read text: ${JSON.stringify(contents)}`);
  step(`resources/read: ${JSON.stringify(contents.text)} (${contents.mimeType})`);

  const { resourceTemplates } = await client.listResourceTemplates();
  check(resourceTemplates[0].uriTemplate === `diskstore://${disk}/{+path}`, 'resource template');
  step(`resources/templates/list: ${resourceTemplates[0].uriTemplate}`);

  let refused = false;
  try {
    await client.readResource({ uri: `diskstore://${disk}/notes/%2E%2E/secret` });
  } catch (e) {
    refused = true;
    step(`resources/read of a path leaving the disk: refused (${e.message})`);
  }
  check(refused, 'a URI leaving the disk is refused');

  const gone = await client.callTool({ name: 'delete_file_disk', arguments: { filename: '/notes/todo.md', expected_etag: 'stale' } });
  check(gone.isError === true, 'delete with a stale etag is refused');
  await client.close();

  if (mode === 'http') {
    const intruder = new Client({ name: 'other-project', version: '1.0.0' });
    let denied = false;
    try {
      await intruder.connect(transport(process.env.MCP_OTHER_TOKEN));
    } catch (e) {
      denied = true;
      step(`another project's token: refused (${e.message.slice(0, 60)})`);
    }
    check(denied, "another project's token cannot open the disk");
  }
  console.log(`mcp-${mode}: ${checks} checks passed`);
}

main().catch((e) => {
  console.log(`FAILED: ${e.stack || e}`);
  process.exit(1);
});
