import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { networkInterfaces, tmpdir } from 'node:os';
import { connect } from 'node:net';
import { basename, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import {
  DynamoDBClient,
  GetItemCommand,
  ListTablesCommand,
  PutItemCommand,
  TransactWriteItemsCommand,
  TransactionCanceledException,
} from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  checkJava,
  dynamoDbLocalArgs,
  ensureDynamoDbLocalJar,
  JVM_PROFILE_ENV,
  jvmProfileOf,
  prepareDynamoDbLocal,
  startDynamoDbLocal,
  startDynamoDbLocalEarly,
  type DynamoDbLocal,
} from '../../local/dynamodb/local-dynamodb';
import { createStreamsClient } from '../../local/dynamodb/streams-client';
import { createTables, dumpTables, streamArnOf } from '../../local/dynamodb/tables';
import type { LocalResource } from '../../local/types';
import { connectTo } from '../support/connect';
import { createLocalDynamoClient, createTestTable, dynamoEndpoint, useDynamoEnv } from '../support/dynamodb';
import { assemblyOf } from '../support/local-assembly';

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0); // signal 0 only checks that the process exists
    return true;
  } catch {
    return false;
  }
}

const onLinux = process.platform === 'linux';

/** The JVM flags a running java process was started with (Linux). */
function jvmFlags(pid: number): string[] {
  return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter((arg) => arg.startsWith('-XX:'));
}

// One JVM serves this block: launched early (as `npm start` launches it) and taken over by the
// start its tests use, so the early start is tested without booting JVMs of its own.
describe('startDynamoDbLocal', () => {
  let dynamo: DynamoDbLocal;
  let client: DynamoDBClient;
  const logged: string[] = [];
  let launchedEarly: number[] = [];

  beforeAll(async () => {
    await prepareDynamoDbLocal(); // the jar and the compiled launcher are cached: an early start needs them
    const before = new Set(onLinux ? childPids() : []);
    startDynamoDbLocalEarly();
    launchedEarly = onLinux ? childPids().filter((pid) => !before.has(pid)) : [];
    dynamo = await startDynamoDbLocal({ log: (line) => logged.push(line) });
    client = createLocalDynamoClient(dynamo.endpoint);
  });

  afterAll(async () => {
    client?.destroy();
    await dynamo?.stop();
  });

  it('fetches the jar into the cache and answers requests', async () => {
    const emulatorDir = await ensureDynamoDbLocalJar();
    expect((await stat(join(emulatorDir, 'DynamoDBLocal.jar'))).isFile()).toBe(true);
    expect(dynamo.endpoint).toBe(`http://127.0.0.1:${dynamo.port}`);

    const tables = await client.send(new ListTablesCommand({}));
    expect(tables.TableNames).toEqual(expect.any(Array));
  });

  it('listens on 127.0.0.1 only: the machine\'s other addresses refuse connections', async () => {
    expect(await connectTo('127.0.0.1', dynamo.port)).toBe('connected');
    // The kernel's own record of the listening socket: meaningful even on a machine whose only
    // interface is loopback. DynamoDB Local's own main listens on 0.0.0.0 / :: here.
    expect(listeningAddresses(dynamo.port)).toEqual([expect.stringMatching(/^(127\.0\.0\.1|::ffff:127\.0\.0\.1)$/)]);
    // And through the network: every non-loopback address this machine has (traffic to them
    // stays on the machine). Empty on a loopback-only machine, where the check above suffices.
    for (const address of ownNonLoopbackAddresses()) {
      expect({ address, result: await connectTo(address, dynamo.port) }).toEqual({ address, result: 'ECONNREFUSED' });
    }
  });

  it('is the real engine: a transaction with a failing condition is cancelled as a whole', async () => {
    const TableName = await createTestTable(client, { prefix: 'txn' });
    await client.send(new PutItemCommand({ TableName, Item: { pk: { S: 'USER#1' }, sk: { S: 'PROFILE' } } }));

    const transaction = client.send(
      new TransactWriteItemsCommand({
        TransactItems: [
          { Put: { TableName, Item: { pk: { S: 'ORDER#1' }, sk: { S: 'ORDER' } } } },
          {
            ConditionCheck: {
              TableName,
              Key: { pk: { S: 'USER#1' }, sk: { S: 'PROFILE' } },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
        ],
      }),
    );

    const error = await transaction.catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TransactionCanceledException);
    expect((error as TransactionCanceledException).CancellationReasons?.map((reason) => reason.Code)).toEqual([
      'None',
      'ConditionalCheckFailed',
    ]);
    const order = await client.send(new GetItemCommand({ TableName, Key: { pk: { S: 'ORDER#1' }, sk: { S: 'ORDER' } } }));
    expect(order.Item).toBeUndefined();
  });

  it('shares tables across regions and credentials, and honours AWS_ENDPOINT_URL_DYNAMODB', async () => {
    const TableName = await createTestTable(client, { prefix: 'env' });
    const restoreEnv = useDynamoEnv(dynamo.endpoint);
    // Configured like app code: no endpoint, so it must come from the environment.
    const appClient = new DynamoDBClient({});
    try {
      const tables = await appClient.send(new ListTablesCommand({}));
      expect(tables.TableNames).toContain(TableName);
    } finally {
      appClient.destroy();
      restoreEnv();
    }
  });

  it.runIf(onLinux)('startDynamoDbLocalEarly launches the JVM before it returns, and the next start on defaults takes that JVM over', async () => {
    expect(launchedEarly).toHaveLength(1);
    expect(dynamo.pid).toBe(launchedEarly[0]);
    expect(logged).toContain(`DynamoDB Local listening on ${dynamo.endpoint} (pid ${dynamo.pid})`);
    // Taken over once: the next start launches a JVM of its own.
    const another = await startDynamoDbLocal({ jvm: 'short-lived' });
    try {
      expect(another.pid).not.toBe(dynamo.pid);
      const anotherClient = createLocalDynamoClient(another.endpoint);
      await expect(anotherClient.send(new ListTablesCommand({}))).resolves.toMatchObject({ TableNames: [] });
      anotherClient.destroy();
      // The profile asked for by option...
      expect(jvmFlags(another.pid)).toEqual(['-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC']);
    } finally {
      await another.stop();
    }
    // ...and by the environment (the globalSetup names it for every start of the run), early starts included.
    expect(process.env[JVM_PROFILE_ENV]).toBe('short-lived');
    expect(jvmFlags(dynamo.pid)).toEqual(['-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC']);
  }, 60_000); // a second JVM on a busy machine

  it('refuses a port that is already taken instead of talking to whoever holds it', async () => {
    await expect(startDynamoDbLocal({ port: dynamo.port })).rejects.toThrow(
      `Cannot start DynamoDB Local: port ${dynamo.port} is already in use`,
    );
  });

  it('says nothing but its endpoint: no banner, no JAXB or logging warnings from the JVM', () => {
    // After the tests above made it create tables and run transactions. Java's own lines are
    // forwarded with this prefix (1.25.1 printed a configuration banner and a JAXB warning).
    expect(logged.filter((line) => line.startsWith('[dynamodb-local]'))).toEqual([]);
    expect(logged).toContain(`DynamoDB Local listening on ${dynamo.endpoint} (pid ${dynamo.pid})`);
  });

  // Last in this block: it stops the shared instance.
  it('stop() ends the java process', async () => {
    expect(isRunning(dynamo.pid)).toBe(true);
    await dynamo.stop();
    expect(isRunning(dynamo.pid)).toBe(false);
    await expect(dynamo.stop()).resolves.toBeUndefined(); // idempotent
  });
});

/** This process's child processes (Linux: every thread's `children` list). */
function childPids(): number[] {
  return readdirSync(`/proc/${process.pid}/task`).flatMap((task) =>
    readFileSync(`/proc/${process.pid}/task/${task}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number),
  );
}

describe('when things go wrong', () => {
  let scratch: string;

  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'dynamodb-local-test-'));
  });

  afterAll(async () => {
    await rm(scratch, { recursive: true, force: true });
  });

  it.skipIf(process.platform === 'win32')('fails fast, quoting Java, when its main thread dies', async () => {
    // Like a real bind failure: the exception is printed but the JVM keeps running.
    const fakeJava = join(scratch, 'java-main-dies');
    await writeFile(
      fakeJava,
      [
        '#!/bin/sh',
        'if [ "$1" = "-version" ]; then echo \'openjdk version "17.0.15"\' >&2; exit 0; fi',
        // Compiling the launcher (java -m jdk.compiler/...) is left to the real java.
        'if [ "$1" = "-m" ]; then exec java "$@"; fi',
        'echo \'Exception in thread "main" java.io.IOException: Failed to bind to 0.0.0.0/0.0.0.0:8000\' >&2',
        'echo \'Caused by: java.net.BindException: Address already in use\' >&2',
        'exec sleep 60',
      ].join('\n'),
    );
    await chmod(fakeJava, 0o755);

    const started = Date.now();
    await expect(startDynamoDbLocal({ javaCommand: fakeJava })).rejects.toThrow(
      /java reported java\.io\.IOException: Failed to bind[\s\S]*Last Java stderr lines:[\s\S]*Address already in use/,
    );
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('kills Java when the parent process is terminated', async () => {
    // vitest stops its fork workers with SIGTERM, which skips 'exit' handlers.
    const { parent, endpoint } = await startInChild(scratch);
    try {
      const client = createLocalDynamoClient(endpoint);
      await client.send(new ListTablesCommand({}));
      client.destroy();

      parent.kill('SIGTERM');
      await once(parent, 'exit');
      // Checked through the port rather than the pid: the orphaned pid may linger as a zombie
      // until init reaps it, but a dead JVM no longer accepts connections.
      await expect(waitUntilRefused(Number(new URL(endpoint).port))).resolves.toBe(true);
    } finally {
      parent.kill('SIGKILL');
    }
  }, 60_000); // a Node process and its JVM start: 30 s and more at load 25 on 2 cores

  it('ends Java even when the parent is SIGKILLed, which no handler in it can catch', async () => {
    const { parent, endpoint } = await startInChild(scratch);
    try {
      parent.kill('SIGKILL');
      await once(parent, 'exit');
      // The launcher sees its stdin close and exits by itself.
      await expect(waitUntilRefused(Number(new URL(endpoint).port))).resolves.toBe(true);
    } finally {
      parent.kill('SIGKILL');
    }
  }, 60_000); // a Node process and its JVM start: 30 s and more at load 25 on 2 cores

  it('ignores an older cache layout and repairs a damaged cache folder', async () => {
    const cacheDir = join(scratch, 'old-cache');
    // What earlier versions left: the amplify-dynamodb-simulator copy of DynamoDB Local 1.25.1...
    await mkdir(join(cacheDir, 'amplify-dynamodb-simulator-2.9.30', 'DynamoDBLocal_lib'), { recursive: true });
    await writeFile(join(cacheDir, 'amplify-dynamodb-simulator-2.9.30', 'DynamoDBLocal.jar'), 'old jar');
    // ...and a current folder someone half deleted by hand.
    const current = join(cacheDir, basename(await ensureDynamoDbLocalJar()));
    await mkdir(current, { recursive: true });
    await writeFile(join(current, 'README.txt'), 'left over');

    const emulatorDir = await ensureDynamoDbLocalJar({ cacheDir });
    expect(emulatorDir).toBe(current);
    expect((await stat(join(emulatorDir, 'DynamoDBLocal.jar'))).size).toBeGreaterThan(1_000_000);
    expect((await readdir(join(emulatorDir, 'DynamoDBLocal_lib'))).length).toBeGreaterThan(10);
    expect((await readdir(cacheDir)).filter((name) => name.startsWith('.fetch-'))).toEqual([]);
  }, 120_000);
});

/** A separate Node process that starts DynamoDB Local and keeps running until killed. */
async function startInChild(scratch: string): Promise<{ parent: ChildProcess; endpoint: string }> {
  const script = join(scratch, 'parent.mts');
  const modulePath = fileURLToPath(new URL('../../local/dynamodb/local-dynamodb.ts', import.meta.url));
  await writeFile(
    script,
    [
      `import { startDynamoDbLocal } from ${JSON.stringify(modulePath)};`,
      'const dynamo = await startDynamoDbLocal();',
      'console.log(JSON.stringify({ endpoint: dynamo.endpoint }));',
      'setInterval(() => {}, 1000);',
    ].join('\n'),
  );
  const parent = spawn(process.execPath, ['--import', 'tsx', script], {
    cwd: fileURLToPath(new URL('../..', import.meta.url)), // where `tsx` resolves
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const [line] = (await once(createInterface({ input: parent.stdout }), 'line')) as [string];
  const { endpoint } = JSON.parse(line) as { endpoint: string };
  const client = createLocalDynamoClient(endpoint);
  await client.send(new ListTablesCommand({}));
  client.destroy();
  return { parent, endpoint };
}

/** The machine's own addresses other than loopback (link-local IPv6 needs a scope: skipped). */
function ownNonLoopbackAddresses(): string[] {
  return Object.values(networkInterfaces())
    .flatMap((addresses) => addresses ?? [])
    .filter((address) => !address.internal && !address.address.startsWith('fe80:'))
    .map((address) => address.address);
}

/** Local addresses of the sockets listening on `port`, from the kernel's tables (Linux). */
function listeningAddresses(port: number): string[] {
  const LISTEN = '0A';
  const found: string[] = [];
  for (const [file, decode] of [['/proc/net/tcp', decodeIpv4], ['/proc/net/tcp6', decodeIpv6]] as const) {
    let table: string;
    try {
      table = readFileSync(file, 'utf8');
    } catch {
      continue; // e.g. IPv6 disabled
    }
    for (const row of table.split('\n').slice(1)) {
      const [, local, , state] = row.trim().split(/\s+/);
      const [hexAddress, hexPort] = local?.split(':') ?? [];
      if (state === LISTEN && hexAddress && hexPort && parseInt(hexPort, 16) === port) found.push(decode(hexAddress));
    }
  }
  return found;
}

/** /proc/net/tcp writes an IPv4 address as one little-endian 32-bit word. */
function decodeIpv4(hex: string): string {
  return (hex.match(/../g) ?? []).reverse().map((byte) => parseInt(byte, 16)).join('.');
}

/** /proc/net/tcp6: four little-endian 32-bit words. Shortened only for the forms we compare. */
function decodeIpv6(hex: string): string {
  const bytes = (hex.match(/.{8}/g) ?? []).flatMap((word) => (word.match(/../g) ?? []).reverse());
  const groups = (bytes.join('').match(/.{4}/g) ?? []).map((group) => parseInt(group, 16).toString(16));
  const joined = groups.join(':');
  if (joined === '0:0:0:0:0:0:0:0') return '::';
  if (joined.startsWith('0:0:0:0:0:ffff:')) return `::ffff:${bytes.slice(12).map((byte) => parseInt(byte, 16)).join('.')}`;
  return joined;
}

/** True once nothing accepts connections on the port any more (polls for up to 5 s). */
async function waitUntilRefused(port: number): Promise<boolean> {
  const deadline = Date.now() + 5_000;
  while (Date.now() < deadline) {
    const socket = connect(port, '127.0.0.1');
    const refused = await new Promise<boolean>((resolve) => {
      socket.once('connect', () => resolve(false));
      socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'ECONNREFUSED'));
    });
    socket.destroy();
    if (refused) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return false;
}

describe('the globalSetup instance', () => {
  it('is reachable through useDynamoEnv()', async () => {
    const restoreEnv = useDynamoEnv();
    const appClient = new DynamoDBClient({});
    try {
      const tables = await appClient.send(new ListTablesCommand({}));
      expect(tables.TableNames).toEqual(expect.any(Array));
    } finally {
      appClient.destroy();
      restoreEnv();
    }
  });
});

describe('the JVM profile', () => {
  it('is the sustained one unless a start or its environment asks for the short-lived one', () => {
    expect(jvmProfileOf({ env: {} })).toBe('sustained');
    expect(jvmProfileOf({ env: { [JVM_PROFILE_ENV]: 'short-lived' } })).toBe('short-lived');
    expect(jvmProfileOf({ jvm: 'sustained', env: { [JVM_PROFILE_ENV]: 'short-lived' } })).toBe('sustained');
    expect(dynamoDbLocalArgs('/emulator', '/launcher', 0, 'sustained').filter((arg) => arg.startsWith('-XX:'))).toEqual(['-XX:+UseParallelGC']);
    expect(dynamoDbLocalArgs('/emulator', '/launcher', 0, 'short-lived').filter((arg) => arg.startsWith('-XX:'))).toEqual([
      '-XX:TieredStopAtLevel=1',
      '-XX:+UseSerialGC',
    ]);
  });

  it('refuses a misspelt DYNAMODB_LOCAL_JVM before it starts anything', async () => {
    const env = { ...process.env, [JVM_PROFILE_ENV]: 'fast' };
    await expect(startDynamoDbLocal({ env })).rejects.toThrow(`${JVM_PROFILE_ENV} must be one of sustained, short-lived, not 'fast'`);
  });
});

describe('checkJava', () => {
  let scratch: string;
  let pathWithoutJava: string;

  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'dynamodb-local-test-'));
    pathWithoutJava = join(scratch, 'empty-bin');
    await mkdir(pathWithoutJava);
  });

  afterAll(async () => {
    await rm(scratch, { recursive: true, force: true });
  });

  it('reports Java 17+ on this machine', async () => {
    const java = await checkJava();
    expect(java).toEqual({ ok: true, version: expect.any(Number) });
    expect(java.ok && java.version).toBeGreaterThanOrEqual(17);
  });

  it('reports java missing when it is not on the PATH', async () => {
    await expect(checkJava({ env: { PATH: pathWithoutJava } })).resolves.toEqual({ ok: false, reason: 'java not found' });
  });

  it('makes startDynamoDbLocal fail fast with install instructions, before fetching anything', async () => {
    const cacheDir = join(scratch, 'cache');
    await expect(startDynamoDbLocal({ env: { ...process.env, PATH: pathWithoutJava }, cacheDir })).rejects.toThrow(
      'DynamoDB Local needs Java 17 or newer on the PATH (java not found). Install a JDK 17+',
    );
    await expect(stat(cacheDir)).rejects.toThrow(/ENOENT/);
  });

  it.skipIf(process.platform === 'win32')('rejects a Java older than 17', async () => {
    const fakeJava = join(scratch, 'java');
    await writeFile(fakeJava, '#!/bin/sh\necho \'openjdk version "11.0.20" 2023-07-18\' >&2\n');
    await chmod(fakeJava, 0o755);

    await expect(checkJava({ javaCommand: fakeJava })).resolves.toEqual({ ok: false, reason: 'found Java 11' });
    await expect(startDynamoDbLocal({ javaCommand: fakeJava })).rejects.toThrow(
      'DynamoDB Local needs Java 17 or newer on the PATH (found Java 11)',
    );
  });
});

describe('demo data: dumpTables, and createTables with contents', () => {
  it('reads every item back, and writes restored items before the stream is on: the stream carries only what comes after', async () => {
    const name = `restore-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;
    const table: LocalResource = {
      stackName: 'restore', logicalId: 'Table', type: 'AWS::DynamoDB::Table', ref: name, metadata: {},
      properties: {
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
        BillingMode: 'PAY_PER_REQUEST',
        StreamSpecification: { StreamViewType: 'NEW_IMAGE' },
      },
    };
    const assembly = assemblyOf([table]);
    // More than one BatchWriteItem (25) and one scan page (1 MB) hold.
    const items = Array.from({ length: 60 }, (_, i) => ({ pk: { S: `item-${String(i).padStart(2, '0')}` }, blob: { S: 'x'.repeat(20_000) } }));
    await createTables(assembly, dynamoEndpoint(), { [name]: items });

    const dumped = await dumpTables(assembly, dynamoEndpoint());
    expect(dumped[name]?.map((item) => item.pk?.S).sort()).toEqual(items.map((item) => item.pk.S));
    const client = createLocalDynamoClient();
    try {
      await client.send(new PutItemCommand({ TableName: name, Item: { pk: { S: 'after' } } }));
      const streams = createStreamsClient(dynamoEndpoint());
      const streamArn = await streamArnOf(name, dynamoEndpoint());
      const keys: unknown[] = [];
      for (const shard of await streams.listShards(streamArn)) {
        const iterator = await streams.getShardIterator({ streamArn, shardId: shard.ShardId, type: 'TRIM_HORIZON' });
        keys.push(...(await streams.getRecords(iterator, 1000)).records.map((record) => record.dynamodb.Keys));
      }
      expect(keys).toEqual([{ pk: { S: 'after' } }]);
    } finally {
      client.destroy();
    }
  });
});
