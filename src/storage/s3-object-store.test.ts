/**
 * S3ObjectStore against a real Ceph radosgw on loopback (started once for this file; see
 * test/support/radosgw.ts), plus a small HTTP fault injector in front of it for the retry paths: it
 * answers chosen requests with 503/429 or drops the connection and forwards the rest unchanged, so S3
 * semantics always come from radosgw itself.
 *
 * Without the Ceph binaries these tests fail and say how to install them; FLOE_SKIP_S3_TESTS=1 skips them.
 */
import assert from 'node:assert/strict';
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it, test } from 'node:test';
import { missingRadosgwBinaries, RADOSGW_INSTALL_HINT, startRadosgw, type Radosgw } from '../../test/support/radosgw.js';
import { createObjectStore } from './create-object-store.js';
import { describeObjectStoreConformance, rejectsWithCode } from './object-store-conformance.js';
import { loadS3Sdk, parseS3Uri, S3ObjectStore, s3OptionsFromConfig, type S3ObjectStoreOptions } from './s3-object-store.js';

const BUCKET = 'floe-test';
const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);
const text = (b: Uint8Array): string => new TextDecoder().decode(b);

const warnings: string[] = [];
process.on('warning', (w) => warnings.push(`${w.name}: ${w.message}`));

describe('S3 locations and options (no server)', () => {
  it('parses s3://bucket/prefix and s3a://, normalising slashes', () => {
    assert.deepEqual(parseS3Uri('s3://my-bucket/chk/job-1/'), { bucket: 'my-bucket', prefix: 'chk/job-1/' });
    assert.deepEqual(parseS3Uri('s3a://my.bucket'), { bucket: 'my.bucket', prefix: '' });
    assert.deepEqual(parseS3Uri('s3://abc/'), { bucket: 'abc', prefix: '' });
    assert.equal(new S3ObjectStore('s3://abc/x/y/').uri, 's3://abc/x/y');
    for (const bad of ['s3://', 's3:///x', 's3://AB/x', 's3://ab/x', 's3://bkt/a//b', 's3://bkt/../x', 'http://bkt/x']) {
      assert.throws(() => parseS3Uri(bad), (e: Error & { code?: string }) => e.code === 'IO.INVALID_URI' || e.code === 'IO.INVALID_KEY', bad);
    }
  });

  it('s3.* options win over AWS_* variables; keys come as a pair; path style follows the endpoint', () => {
    const env = { AWS_ENDPOINT_URL: 'http://env:9000', AWS_ACCESS_KEY_ID: 'envkey', AWS_SECRET_ACCESS_KEY: 'envsecret', AWS_SESSION_TOKEN: 'tok', AWS_REGION: 'eu-west-1' };
    assert.deepEqual(s3OptionsFromConfig({}, env), {
      endpoint: 'http://env:9000',
      region: 'eu-west-1',
      accessKeyId: 'envkey',
      secretAccessKey: 'envsecret',
      sessionToken: 'tok',
      forcePathStyle: true,
    });
    const cfg = { 's3.endpoint': 'http://cfg:7480', 's3.access-key': 'k', 's3.secret-key': 's', 's3.region': 'r1', 's3.path.style.access': 'false' };
    assert.deepEqual(s3OptionsFromConfig(cfg, env), { endpoint: 'http://cfg:7480', region: 'r1', accessKeyId: 'k', secretAccessKey: 's', sessionToken: undefined, forcePathStyle: false });
    assert.deepEqual(s3OptionsFromConfig((k) => (k === 's3.region' ? undefined : undefined), {}), {
      endpoint: undefined,
      region: 'us-east-1',
      accessKeyId: undefined,
      secretAccessKey: undefined,
      sessionToken: undefined,
      forcePathStyle: false,
    });
    assert.throws(() => s3OptionsFromConfig({ 's3.access-key': 'k' }, env), /must be set together/);
    assert.throws(() => s3OptionsFromConfig({ 's3.path.style.access': 'yes' }, {}), /expected true or false/);
  });

  it('createObjectStore opens s3:// and s3a:// locations; options are validated', () => {
    const s = createObjectStore('s3://bucket/prefix', { config: { 's3.endpoint': 'http://127.0.0.1:1' }, env: {} });
    assert.ok(s instanceof S3ObjectStore);
    assert.equal(s.uri, 's3://bucket/prefix');
    assert.ok(createObjectStore('s3a://bucket', { env: {} }) instanceof S3ObjectStore);
    assert.throws(() => createObjectStore('s3://', { env: {} }), (e: Error & { code?: string }) => e.code === 'IO.INVALID_URI');
    assert.throws(() => new S3ObjectStore('s3://bkt', { endpoint: 'not a url' }), /invalid S3 endpoint/);
    assert.throws(() => new S3ObjectStore('s3://bkt', { listPageSize: 1001 }), /at most 1000/);
    assert.throws(() => new S3ObjectStore('s3://bkt', { maxAttempts: 0 }), /positive integer/);
  });

  it('a closed port fails fast after the bounded retries, naming operation, bucket, key and error', async () => {
    const port = await closedPort();
    const s = new S3ObjectStore(`s3://${BUCKET}/x`, { endpoint: `http://127.0.0.1:${port}`, accessKeyId: 'a', secretAccessKey: 'supersecret', maxAttempts: 3, retryBaseDelayMs: 5 });
    const t0 = Date.now();
    await rejectsWithCode(s.get('chk-1/data'), 'IO.S3_REQUEST_FAILED', 'GetObject', "'chk-1/data'", `bucket '${BUCKET}'`, 'ECONNREFUSED', 'after 3 attempts', `127.0.0.1:${port}`);
    await rejectsWithCode(s.putIfAbsent('k', bytes('v')), 'IO.S3_REQUEST_FAILED', 'If-None-Match', "'k'");
    await rejectsWithCode(s.list('p/'), 'IO.S3_REQUEST_FAILED', 'ListObjectsV2');
    assert.ok(Date.now() - t0 < 5000);
    await s.get('k').catch((e: Error) => assert.ok(!e.message.includes('supersecret')));
    await s.close();
  });
});

const missing = missingRadosgwBinaries();
const skipReason = process.env['FLOE_SKIP_S3_TESTS'] === '1' ? `FLOE_SKIP_S3_TESTS=1${missing.length > 0 ? ` (radosgw binaries missing: ${missing.join(', ')})` : ''}` : undefined;

if (skipReason !== undefined) {
  test('S3ObjectStore on radosgw', { skip: skipReason }, () => {});
} else if (missing.length > 0) {
  test('S3ObjectStore on radosgw', () => {
    assert.fail(`the S3 tests need Ceph radosgw; missing: ${missing.join(', ')}. Install them: ${RADOSGW_INSTALL_HINT} — or set FLOE_SKIP_S3_TESTS=1 to skip these tests`);
  });
} else {
  let gw: Radosgw;
  const stores: S3ObjectStore[] = [];
  let n = 0;
  const open = (uri: string, extra: S3ObjectStoreOptions = {}): S3ObjectStore => {
    const s = new S3ObjectStore(uri, { endpoint: gw.endpoint, accessKeyId: gw.accessKeyId, secretAccessKey: gw.secretAccessKey, region: gw.region, ...extra });
    stores.push(s);
    return s;
  };
  const fresh = (extra: S3ObjectStoreOptions = {}): S3ObjectStore => open(`s3://${BUCKET}/t-${++n}`, extra);

  before(async () => {
    gw = await startRadosgw();
    console.log(`# radosgw ready at ${gw.endpoint} in ${gw.startupMs} ms`);
    // The bucket is made with the SDK as the store loads it (Floe never creates buckets itself).
    const { S3Client, CreateBucketCommand } = await loadS3Sdk();
    const admin = new S3Client({ endpoint: gw.endpoint, region: gw.region, forcePathStyle: true, credentials: { accessKeyId: gw.accessKeyId, secretAccessKey: gw.secretAccessKey } });
    await admin.send(new CreateBucketCommand({ Bucket: BUCKET }));
    admin.destroy();
  });
  after(async () => {
    for (const s of stores) await s.close();
    await gw?.stop();
  });

  // radosgw stamps Last-Modified with its own clock in whole seconds.
  describeObjectStoreConformance('S3 (radosgw)', () => fresh(), { clockSkewMs: 5000 });

  describe('S3ObjectStore on radosgw', () => {
    it('conditional create racing: two stores (two connections) on one key, exactly one wins, 20 times', async () => {
      const a = fresh();
      const b = open(a.uri);
      for (let i = 0; i < 20; i++) {
        const key = `race/${i}`;
        const [ra, rb] = await Promise.all([a.putIfAbsent(key, bytes(`a${i}`)), b.putIfAbsent(key, bytes(`b${i}`))]);
        assert.equal(Number(ra) + Number(rb), 1, `round ${i}: ${ra} ${rb}`);
        assert.equal(text(await b.get(key)), ra ? `a${i}` : `b${i}`);
      }
    });

    it('list pages through more than 1000 keys (the S3 page maximum)', async () => {
      const s = fresh();
      const keys = Array.from({ length: 1050 }, (_, i) => `many/k${String(i).padStart(4, '0')}`);
      for (let i = 0; i < keys.length; i += 50) await Promise.all(keys.slice(i, i + 50).map((k) => s.put(k, bytes('x'))));
      await s.put('other', bytes('y'));
      const listed = await s.list('many/');
      assert.equal(listed.length, 1050);
      assert.deepEqual(
        listed.map((o) => o.key),
        keys,
      );
      assert.equal((await s.list('')).length, 1051);
    });

    it('a small page size pages too: 50 keys in pages of 7 is 8 ListObjectsV2 requests', async () => {
      const proxy = await faultInjector(gw.endpoint, () => 'forward');
      try {
        const s = open(`s3://${BUCKET}/t-${++n}`, { endpoint: proxy.endpoint, listPageSize: 7 });
        for (let i = 0; i < 50; i++) await s.put(`p/${i}`, bytes(String(i)));
        await s.put('q/0', bytes('q'));
        proxy.seen.length = 0;
        const listed = await s.list('p/');
        assert.deepEqual(
          listed.map((o) => o.key),
          Array.from({ length: 50 }, (_, i) => `p/${i}`).sort(),
        );
        assert.equal(proxy.seen.filter((r) => r.method === 'GET' && r.url.includes('list-type=2')).length, 8);
      } finally {
        await proxy.close();
      }
    });

    it('keys sort by UTF-16 code unit, not by S3 UTF-8 byte order', async () => {
      const s = fresh();
      const keys = ['k/\u{1F600}', 'k/\uFF21', 'k/a'];
      for (const k of keys) await s.put(k, bytes(k));
      // UTF-8 order would put U+FF21 before U+1F600; code-unit order puts the surrogate pair (0xD83D) first.
      assert.deepEqual(
        (await s.list('k/')).map((o) => o.key),
        ['k/a', 'k/\u{1F600}', 'k/\uFF21'],
      );
    });

    it('throttling (503 SlowDown, 429) and dropped connections are retried with growing delays', async () => {
      let faults = 0;
      const proxy = await faultInjector(gw.endpoint, (req) => {
        if (req.method !== 'PUT' || faults >= 3) return 'forward';
        faults++;
        return faults === 1 ? 'slowdown' : faults === 2 ? 'too-many' : 'drop';
      });
      try {
        const s = open(`s3://${BUCKET}/t-${++n}`, { endpoint: proxy.endpoint, retryBaseDelayMs: 40 });
        await s.put('retry/me', bytes('made it'));
        assert.equal(text(await open(s.uri).get('retry/me')), 'made it');
        const puts = proxy.seen.filter((r) => r.method === 'PUT');
        assert.equal(puts.length, 4);
        // Backoff before retry k is in [d/2, d] with d = 40·2^(k-1): at least 20, 40 and 80 ms.
        const gaps = puts.slice(1).map((r, i) => r.at - puts[i]!.at);
        assert.ok(gaps[0]! >= 18 && gaps[1]! >= 38 && gaps[2]! >= 78, `gaps ${gaps.join(', ')}`);
      } finally {
        await proxy.close();
      }
    });

    it('gives up after maxAttempts with the server error code, and does not retry what is not transient', async () => {
      const proxy = await faultInjector(gw.endpoint, (req) => (req.method === 'GET' ? 'slowdown' : 'forward'));
      try {
        const s = open(`s3://${BUCKET}/t-${++n}`, { endpoint: proxy.endpoint, maxAttempts: 4, retryBaseDelayMs: 1 });
        await s.put('x', bytes('1'));
        proxy.seen.length = 0;
        await rejectsWithCode(s.get('x'), 'IO.S3_REQUEST_FAILED', 'GetObject', "'x'", `bucket '${BUCKET}'`, 'SlowDown', 'HTTP 503', 'after 4 attempts');
        assert.equal(proxy.seen.length, 4);
      } finally {
        await proxy.close();
      }
      const bad = open(`s3://${BUCKET}/t-${++n}`, { secretAccessKey: 'wrong-secret-value', maxAttempts: 5 });
      await assert.rejects(bad.put('x', bytes('1')), (e: Error & { code?: string; help?: string }) => {
        assert.equal(e.code, 'IO.S3_REQUEST_FAILED');
        assert.match(e.message, /SignatureDoesNotMatch \(HTTP 403\)/);
        assert.match(e.message, /after 1 attempt:/);
        assert.ok(!e.message.includes('wrong-secret-value') && !e.message.includes(gw.secretAccessKey));
        assert.match(e.help ?? '', /s3\.secret-key/);
        return true;
      });
    });

    it('putIfAbsent whose reply is lost still learns that it won (writer tag), and a rival still loses', async () => {
      let dropped = false;
      const proxy = await faultInjector(gw.endpoint, (req) => {
        if (req.method === 'PUT' && !dropped) {
          dropped = true;
          return 'forward-then-drop';
        }
        return 'forward';
      });
      try {
        const s = open(`s3://${BUCKET}/t-${++n}`, { endpoint: proxy.endpoint, retryBaseDelayMs: 5 });
        assert.equal(await s.putIfAbsent('commit', bytes('mine')), true);
        assert.equal(dropped, true);
        const puts = proxy.seen.filter((r) => r.method === 'PUT');
        assert.equal(puts.length, 2, 'the second attempt met the first one\'s object (412)');
        assert.equal(text(await s.get('commit')), 'mine');
        assert.equal(await open(s.uri).putIfAbsent('commit', bytes('rival')), false);
      } finally {
        await proxy.close();
      }
    });

    it('a missing bucket is IO.S3_NO_SUCH_BUCKET for every operation, HEAD-based ones included', async () => {
      const s = open('s3://no-such-bucket-here/x');
      await rejectsWithCode(s.get('k'), 'IO.S3_NO_SUCH_BUCKET', "'no-such-bucket-here'", gw.endpoint);
      await rejectsWithCode(s.exists('k'), 'IO.S3_NO_SUCH_BUCKET');
      await rejectsWithCode(s.lastModified('k'), 'IO.S3_NO_SUCH_BUCKET');
      await rejectsWithCode(s.getRange('k', 0, 0), 'IO.S3_NO_SUCH_BUCKET');
      await rejectsWithCode(s.put('k', bytes('v')), 'IO.S3_NO_SUCH_BUCKET');
      await rejectsWithCode(s.putIfAbsent('k', bytes('v')), 'IO.S3_NO_SUCH_BUCKET');
      await rejectsWithCode(s.list(''), 'IO.S3_NO_SUCH_BUCKET');
    });

    it('stores under different prefixes of one bucket are separate; keys map to prefix/key', async () => {
      const a = open(`s3://${BUCKET}/iso/a`);
      const b = open(`s3://${BUCKET}/iso/ab`);
      const root = open(`s3://${BUCKET}`);
      await a.put('k', bytes('from a'));
      await b.put('k', bytes('from b'));
      assert.deepEqual(await a.list(''), [{ key: 'k', size: 6 }]);
      assert.equal(text(await root.get('iso/a/k')), 'from a');
      assert.deepEqual((await root.list('iso/')).map((o) => o.key), ['iso/a/k', 'iso/ab/k']);
    });

    it('createObjectStore with s3.* configuration reaches radosgw; no SDK Node-version warning was printed', async () => {
      const s = createObjectStore(`s3://${BUCKET}/cfg`, {
        config: { 's3.endpoint': gw.endpoint, 's3.access-key': gw.accessKeyId, 's3.secret-key': gw.secretAccessKey },
        env: {},
      });
      stores.push(s as S3ObjectStore);
      await s.put('a/b', bytes('via config'));
      assert.equal(text(await s.getRange('a/b', 4, 6)), 'config');
      assert.deepEqual(
        warnings.filter((w) => w.includes('NodeVersionSupportWarning')),
        [],
      );
    });
  });
}

type Fault = 'forward' | 'slowdown' | 'too-many' | 'drop' | 'forward-then-drop';

/** An HTTP front for radosgw that applies `decide` per request and logs what it saw (method, URL, time). */
async function faultInjector(
  target: string,
  decide: (req: IncomingMessage) => Fault,
): Promise<{ endpoint: string; seen: { method: string; url: string; at: number }[]; close(): Promise<void> }> {
  const upstream = new URL(target);
  const seen: { method: string; url: string; at: number }[] = [];
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    seen.push({ method: req.method ?? '', url: req.url ?? '', at: performance.now() });
    const fault = decide(req);
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (fault === 'slowdown' || fault === 'too-many') {
        const [status, code] = fault === 'slowdown' ? [503, 'SlowDown'] : [429, 'TooManyRequests'];
        const body = `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>injected fault</Message></Error>`;
        res.writeHead(status, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(body) });
        res.end(body);
        return;
      }
      if (fault === 'drop') {
        req.socket.destroy();
        return;
      }
      // Forwarded byte for byte with the original Host header, so the SigV4 signature still verifies.
      const up = httpRequest(
        { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers },
        (upRes) => {
          const body: Buffer[] = [];
          upRes.on('data', (c: Buffer) => body.push(c));
          upRes.on('end', () => {
            if (fault === 'forward-then-drop') {
              req.socket.destroy();
              return;
            }
            res.writeHead(upRes.statusCode ?? 502, upRes.headers);
            res.end(Buffer.concat(body));
          });
        },
      );
      up.on('error', () => req.socket.destroy());
      up.end(Buffer.concat(chunks));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    seen,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** A loopback port nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as AddressInfo).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}
