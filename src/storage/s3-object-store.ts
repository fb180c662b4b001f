/**
 * The `ObjectStore` on an S3-compatible service (AWS S3, Ceph radosgw, MinIO, …), for checkpoints, state
 * files and lake tables that must outlive the machine. `s3://bucket/prefix` names the store; an object's
 * S3 key is `prefix/` + its object key.
 *
 * How each guarantee of object-store.ts is met:
 * - `put` is one PutObject: S3 makes an object visible only once its upload is complete, and a PUT
 *   replaces atomically (readers see the old or the new object). A Content-MD5 header lets the server
 *   reject a body damaged in transit (checksums the SDK would add by default are turned off: several
 *   S3-compatible servers reject or ignore them; MD5 is understood by all).
 * - `putIfAbsent` is a PutObject with `If-None-Match: *` (conditional create): the server answers 412 to
 *   every creator but the first, atomically. A retried attempt can meet a 412 caused by its own earlier
 *   attempt whose reply was lost; each call therefore tags its object with a random writer id
 *   (`x-amz-meta-floe-writer`) and, on a 412 after an ambiguous failure, reads the tag back to learn
 *   whether it won. (A server that ignores `If-None-Match` silently breaks this; radosgw and AWS honour it.)
 * - `getRange` is a ranged GET; S3 clips a range that runs past the end, so the returned length is
 *   checked and a short answer is `IO.RANGE_NOT_SATISFIABLE`, as on every store.
 * - `lastModified` is the `Last-Modified` of a HeadObject: the server's clock at the end of the upload,
 *   in whole seconds (HTTP dates carry no fraction).
 * - `list` pages through ListObjectsV2 (continuation tokens) and sorts by UTF-16 code unit, because S3
 *   orders by UTF-8 bytes, which differs for characters beyond U+FFFF.
 * - All of this relies on read-after-write and list-after-write consistency, which AWS S3 (since
 *   December 2020) and radosgw provide; an eventually consistent store would break `putIfAbsent` users.
 *
 * Requests that fail transiently (HTTP 5xx, 429, SlowDown, connection resets and refusals, timeouts) are
 * retried with exponential backoff and jitter, up to `maxAttempts`; then the error is
 * `IO.S3_REQUEST_FAILED`, naming the operation, bucket, key and the server's error code. The SDK's own
 * retries are off, so this one loop decides. A missing bucket is `IO.S3_NO_SUCH_BUCKET`: GET, PUT and
 * LIST say so in their error body; a HEAD answers a bare 404 either way, so the first HEAD 404 of a store
 * is followed by one HeadBucket to tell "no such object" from "no such bucket". Credentials never appear
 * in messages.
 *
 * The AWS SDK is loaded on first use (it takes ~200 ms to import), so processes that never touch S3 do
 * not pay for it.
 */
import { createHash, randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { HeadObjectCommandOutput, S3Client } from '@aws-sdk/client-s3';
import { FloeError, ioError, readOption, userError } from '../common/index.js';
import {
  checkObjectKey,
  checkRange,
  compareKeys,
  objectNotFound,
  rangeNotSatisfiable,
  type ObjectInfo,
  type ObjectStore,
} from './object-store.js';

type Sdk = typeof import('@aws-sdk/client-s3');

export interface S3ObjectStoreOptions {
  /** Service URL such as `http://127.0.0.1:7480`; absent means AWS S3 for `region`. */
  readonly endpoint?: string | undefined;
  /** Signing region (default `us-east-1`). */
  readonly region?: string | undefined;
  /** With `secretAccessKey`; when both are absent the SDK's default credential chain is used. */
  readonly accessKeyId?: string | undefined;
  readonly secretAccessKey?: string | undefined;
  readonly sessionToken?: string | undefined;
  /** `http://endpoint/bucket/key` rather than `http://bucket.endpoint/key` (default: true when `endpoint` is set). */
  readonly forcePathStyle?: boolean | undefined;
  /** Attempts per request, including the first (default 6). */
  readonly maxAttempts?: number | undefined;
  /** Backoff before retry n is drawn from [d/2, d] with d = min(max, base·2^(n-1)) (defaults 100 ms, 5 s). */
  readonly retryBaseDelayMs?: number | undefined;
  readonly retryMaxDelayMs?: number | undefined;
  /** Keys per ListObjectsV2 page, 1…1000 (default 1000, the S3 maximum). */
  readonly listPageSize?: number | undefined;
  /** TCP connect timeout and socket inactivity timeout of a request (defaults 5 s, 60 s). */
  readonly connectionTimeoutMs?: number | undefined;
  readonly requestTimeoutMs?: number | undefined;
}

/** The parts of `s3://bucket/prefix`; `prefix` is '' or ends with '/'. */
export interface S3Location {
  readonly bucket: string;
  readonly prefix: string;
}

/** Parses `s3://bucket[/prefix]` (also `s3a://`, as Flink accepts); `IO.INVALID_URI` otherwise. */
export function parseS3Uri(uri: string): S3Location {
  const m = /^s3a?:\/\/([^/?#]*)(?:\/([^?#]*))?$/i.exec(uri);
  const bucket = m?.[1] ?? '';
  // S3 bucket names: 3-63 characters of lower-case letters, digits, '.', '-' (radosgw and AWS agree).
  if (m === null || !/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) {
    throw userError('IO.INVALID_URI', `invalid S3 location '${uri}': expected s3://bucket/prefix with a bucket name of 3-63 lower-case letters, digits, '.' or '-'`);
  }
  const path = (m[2] ?? '').replace(/\/+$/, '');
  if (path !== '') checkObjectKey(uri, path);
  return { bucket, prefix: path === '' ? '' : path + '/' };
}

/** What a failed request told us, with the SDK's many shapes reduced to one. */
interface S3Failure {
  /** HTTP status; undefined when no response arrived (connection refused, reset, timeout). */
  readonly status: number | undefined;
  /** The server's error code (`SlowDown`, `NoSuchKey`) or the network error code (`ECONNREFUSED`). */
  readonly code: string;
  readonly message: string;
  readonly retryable: boolean;
}

const RETRYABLE_NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'TimeoutError',
  'RequestTimeout',
]);
const RETRYABLE_SERVER_CODES = new Set([
  'SlowDown',
  'Throttling',
  'ThrottlingException',
  'RequestTimeout',
  'InternalError',
  'ServiceUnavailable',
  // AWS answers 409 to a conditional write racing another on the same key and asks clients to retry.
  'ConditionalRequestConflict',
]);

function failureOf(e: unknown): S3Failure {
  const err = (e ?? {}) as { name?: string; message?: string; code?: string; Code?: string; $metadata?: { httpStatusCode?: number } };
  const status = err.$metadata?.httpStatusCode;
  if (status === undefined) {
    // No HTTP response: a network-level error (Node's `code`) or an SDK timeout (`name`).
    const code = err.code ?? err.name ?? 'Error';
    return { status, code, message: err.message ?? String(e), retryable: RETRYABLE_NETWORK_CODES.has(code) || RETRYABLE_NETWORK_CODES.has(err.name ?? '') };
  }
  // HEAD responses carry no body, so the SDK names the error after the status ('NotFound', '403').
  const code = err.Code ?? err.name ?? `HTTP${status}`;
  const message = err.message !== undefined && err.message !== 'UnknownError' ? err.message : code;
  return { status, code, message, retryable: status >= 500 || status === 429 || RETRYABLE_SERVER_CODES.has(code) };
}

/** Outcome of a failed attempt decided by the operation: a value, an error to throw, or undefined (default handling). */
type Decision<T> = { readonly value: T } | FloeError | undefined;

let sdkModule: Promise<Sdk> | undefined;
/** The AWS SDK module, imported on first use (with its Node-version warning switched off, see below). */
export function loadS3Sdk(): Promise<Sdk> {
  if (sdkModule === undefined) {
    // The SDK warns once per process that its releases after January 2027 need Node 22; Floe pins the
    // SDK, so the warning says nothing actionable. This is its documented switch; an explicit setting wins.
    process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';
    sdkModule = import('@aws-sdk/client-s3');
  }
  return sdkModule;
}

const WRITER_TAG = 'floe-writer';

export class S3ObjectStore implements ObjectStore {
  readonly uri: string;
  readonly bucket: string;
  /** Prepended to every object key; '' or ends with '/'. */
  readonly prefix: string;
  private readonly options: S3ObjectStoreOptions;
  private readonly maxAttempts: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly pageSize: number;
  /** Where requests go, for messages (never holds credentials). */
  private readonly endpointText: string;
  private client: Promise<{ client: S3Client; sdk: Sdk }> | undefined;
  /** Set once any request has succeeded: the bucket exists, so a HEAD 404 means "no such object". */
  private bucketSeen = false;

  constructor(uri: string, options: S3ObjectStoreOptions = {}) {
    const { bucket, prefix } = parseS3Uri(uri);
    this.bucket = bucket;
    this.prefix = prefix;
    this.uri = `s3://${bucket}${prefix === '' ? '' : '/' + prefix.slice(0, -1)}`;
    this.options = options;
    this.maxAttempts = positiveInt('maxAttempts', options.maxAttempts, 6);
    this.baseDelayMs = nonNegative('retryBaseDelayMs', options.retryBaseDelayMs, 100);
    this.maxDelayMs = nonNegative('retryMaxDelayMs', options.retryMaxDelayMs, 5000);
    this.pageSize = positiveInt('listPageSize', options.listPageSize, 1000);
    if (this.pageSize > 1000) throw userError('CONFIG.BAD_VALUE', `S3 list page size must be at most 1000, got ${this.pageSize}`);
    if (options.endpoint !== undefined) {
      try {
        new URL(options.endpoint);
      } catch {
        throw userError('CONFIG.BAD_VALUE', `invalid S3 endpoint '${options.endpoint}': expected a URL such as http://127.0.0.1:7480`);
      }
    }
    this.endpointText = options.endpoint ?? `AWS S3 (${options.region ?? 'us-east-1'})`;
  }

  private s3(): Promise<{ client: S3Client; sdk: Sdk }> {
    if (this.client === undefined) {
      const o = this.options;
      this.client = loadS3Sdk().then((sdk) => {
        const client = new sdk.S3Client({
          region: o.region ?? 'us-east-1',
          ...(o.endpoint !== undefined ? { endpoint: o.endpoint } : {}),
          forcePathStyle: o.forcePathStyle ?? o.endpoint !== undefined,
          ...(o.accessKeyId !== undefined && o.secretAccessKey !== undefined
            ? { credentials: { accessKeyId: o.accessKeyId, secretAccessKey: o.secretAccessKey, ...(o.sessionToken !== undefined ? { sessionToken: o.sessionToken } : {}) } }
            : {}),
          maxAttempts: 1,
          requestChecksumCalculation: 'WHEN_REQUIRED',
          responseChecksumValidation: 'WHEN_REQUIRED',
          // A request with no response within the timeout fails (and is retried as a network error): the
          // SDK's default only logs a warning and waits on, which left a job hanging on a full server.
          requestHandler: { connectionTimeout: o.connectionTimeoutMs ?? 5000, requestTimeout: o.requestTimeoutMs ?? 60_000, throwOnRequestTimeout: true },
        });
        return { client, sdk };
      });
    }
    return this.client;
  }

  /** Releases the SDK client's pooled connections; the store must not be used afterwards. */
  async close(): Promise<void> {
    const c = this.client;
    this.client = undefined;
    if (c !== undefined) (await c).client.destroy();
  }

  private s3Key(key: string): string {
    checkObjectKey(this.uri, key);
    return this.prefix + key;
  }

  private backoffMs(retry: number): number {
    const d = Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** (retry - 1));
    return d / 2 + Math.random() * (d / 2);
  }

  private where(key: string | null): string {
    return key === null ? `bucket '${this.bucket}'` : `'${key}' in bucket '${this.bucket}'`;
  }

  private gaveUp(op: string, key: string | null, f: S3Failure, attempts: number, cause: unknown): FloeError {
    const status = f.status === undefined ? 'no response' : `HTTP ${f.status}`;
    const detail = f.message === f.code || f.message === '' ? '' : `: ${f.message}`;
    return ioError(
      'IO.S3_REQUEST_FAILED',
      `S3 ${op} of ${this.where(key)} (${this.uri} at ${this.endpointText}) failed after ${attempts} attempt${attempts === 1 ? '' : 's'}: ${f.code} (${status})${detail}`,
      {
        cause,
        ...(f.retryable ? {} : { notes: ['this error is not transient, so it was not retried'] }),
        ...(f.status === 403 ? { help: 'check s3.access-key / s3.secret-key (or AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY) and the bucket policy' } : {}),
      },
    );
  }

  private noSuchBucket(cause: unknown): FloeError {
    return ioError('IO.S3_NO_SUCH_BUCKET', `S3 bucket '${this.bucket}' of ${this.uri} does not exist at ${this.endpointText}`, {
      cause,
      help: 'create the bucket first (Floe does not create buckets), or fix the bucket name or s3.endpoint',
    });
  }

  /**
   * Runs `call` with bounded retries. `decide` maps an expected failure to an outcome (404 → not found);
   * it gets `ambiguous` = an earlier attempt failed without a definite answer, so its effect is unknown.
   */
  private async run<T>(
    op: string,
    key: string | null,
    call: (client: S3Client, sdk: Sdk) => Promise<T>,
    decide?: (f: S3Failure, ambiguous: boolean) => Decision<T> | Promise<Decision<T>>,
  ): Promise<T> {
    const { client, sdk } = await this.s3();
    let ambiguous = false;
    for (let attempt = 1; ; attempt++) {
      try {
        const value = await call(client, sdk);
        this.bucketSeen = true;
        return value;
      } catch (e) {
        if (e instanceof FloeError) throw e;
        const f = failureOf(e);
        if (f.code === 'NoSuchBucket') throw this.noSuchBucket(e);
        const decision = decide === undefined ? undefined : await decide(f, ambiguous);
        if (decision instanceof FloeError) throw decision;
        if (decision !== undefined) return decision.value;
        if (!f.retryable || attempt >= this.maxAttempts) throw this.gaveUp(op, key, f, attempt, e);
        ambiguous = true;
        await sleep(this.backoffMs(attempt));
      }
    }
  }

  /**
   * A HEAD answered 404: "no such object" once the bucket is known to exist, else one HeadBucket decides
   * (404 → `IO.S3_NO_SUCH_BUCKET`, 403 → `IO.S3_ACCESS_DENIED`).
   */
  private async afterHead404<T>(value: T): Promise<Decision<T>> {
    if (this.bucketSeen) return { value };
    await this.run(
      'HeadBucket',
      null,
      async (client, sdk) => {
        await client.send(new sdk.HeadBucketCommand({ Bucket: this.bucket }));
      },
      (f) => {
        if (f.status === 404) return this.noSuchBucket(undefined);
        if (f.status === 403) {
          return ioError('IO.S3_ACCESS_DENIED', `access to S3 bucket '${this.bucket}' of ${this.uri} at ${this.endpointText} is denied (HTTP 403)`, {
            help: 'check s3.access-key / s3.secret-key (or AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY) and the bucket policy',
          });
        }
        return undefined;
      },
    );
    return { value };
  }

  async get(key: string): Promise<Uint8Array> {
    const k = this.s3Key(key);
    return this.run(
      'GetObject',
      key,
      async (client, sdk) => {
        const res = await client.send(new sdk.GetObjectCommand({ Bucket: this.bucket, Key: k }));
        // Reading the body inside the retried call: a connection reset mid-body is retried too.
        const bytes = await bodyBytes(res.Body);
        if (res.ContentLength !== undefined && bytes.length !== res.ContentLength) {
          throw Object.assign(new Error(`body has ${bytes.length} of ${res.ContentLength} bytes`), { code: 'ECONNRESET' });
        }
        return bytes;
      },
      (f) => (f.status === 404 ? objectNotFound(this.uri, key) : undefined),
    );
  }

  /** The object's metadata (HeadObject); `IO.NOT_FOUND` when there is none. */
  private async head(key: string, k: string): Promise<HeadObjectCommandOutput> {
    return this.run(
      'HeadObject',
      key,
      (client, sdk) => client.send(new sdk.HeadObjectCommand({ Bucket: this.bucket, Key: k })),
      async (f) => {
        if (f.status !== 404) return undefined;
        await this.afterHead404(0);
        return objectNotFound(this.uri, key);
      },
    );
  }

  /** The object's size; `IO.NOT_FOUND` when there is none. */
  private async size(key: string, k: string): Promise<number> {
    return (await this.head(key, k)).ContentLength ?? 0;
  }

  async getRange(key: string, offset: number, length: number): Promise<Uint8Array> {
    const k = this.s3Key(key);
    checkRange(this.uri, key, offset, length);
    if (length === 0) {
      // HTTP cannot express an empty range; the object's size decides whether the offset is inside.
      const size = await this.size(key, k);
      if (offset > size) throw rangeNotSatisfiable(this.uri, key, offset, length, size);
      return new Uint8Array(0);
    }
    const result = await this.run<{ bytes: Uint8Array; total: number | undefined; ranged: boolean } | null>(
      'GetObject',
      key,
      async (client, sdk) => {
        const res = await client.send(new sdk.GetObjectCommand({ Bucket: this.bucket, Key: k, Range: `bytes=${offset}-${offset + length - 1}` }));
        const bytes = await bodyBytes(res.Body);
        const total = res.ContentRange === undefined ? undefined : Number(/\/(\d+)\s*$/.exec(res.ContentRange)?.[1]);
        return { bytes, total, ranged: res.ContentRange !== undefined };
      },
      (f) => (f.status === 404 ? objectNotFound(this.uri, key) : f.status === 416 ? { value: null } : undefined),
    );
    if (result === null) {
      // 416: the range starts at or past the end; the size is needed for the message.
      throw rangeNotSatisfiable(this.uri, key, offset, length, await this.size(key, k));
    }
    if (!result.ranged) {
      // A server that ignores Range sends the whole object (200); cut the range out of it here.
      if (offset + length > result.bytes.length) throw rangeNotSatisfiable(this.uri, key, offset, length, result.bytes.length);
      return result.bytes.slice(offset, offset + length);
    }
    if (result.bytes.length !== length) {
      // S3 clips a range that runs past the end (206 with fewer bytes); the store contract forbids short reads.
      throw rangeNotSatisfiable(this.uri, key, offset, length, result.total ?? offset + result.bytes.length);
    }
    return result.bytes;
  }

  async put(key: string, bytes: Uint8Array): Promise<void> {
    const k = this.s3Key(key);
    // Copied once, up front: every retry sends the bytes the caller passed, whatever it does to its buffer.
    const body = Uint8Array.prototype.slice.call(bytes);
    const md5 = md5Base64(body);
    await this.run('PutObject', key, async (client, sdk) => {
      await client.send(new sdk.PutObjectCommand({ Bucket: this.bucket, Key: k, Body: body, ContentLength: body.length, ContentMD5: md5 }));
    });
  }

  async putIfAbsent(key: string, bytes: Uint8Array): Promise<boolean> {
    const k = this.s3Key(key);
    const body = Uint8Array.prototype.slice.call(bytes);
    const md5 = md5Base64(body);
    const writer = randomUUID();
    return this.run(
      'PutObject (If-None-Match: *)',
      key,
      async (client, sdk) => {
        await client.send(
          new sdk.PutObjectCommand({
            Bucket: this.bucket,
            Key: k,
            Body: body,
            ContentLength: body.length,
            ContentMD5: md5,
            IfNoneMatch: '*',
            Metadata: { [WRITER_TAG]: writer },
          }),
        );
        return true;
      },
      async (f, ambiguous) => {
        if (f.status !== 412) return undefined;
        if (!ambiguous) return { value: false };
        // An earlier attempt of this call may have created the object and lost the reply: ask who wrote it.
        const tag = await this.writerOf(key, k);
        return { value: tag === writer };
      },
    );
  }

  /** The writer id stored with an object by `putIfAbsent` (undefined when absent or untagged). */
  private async writerOf(key: string, k: string): Promise<string | undefined> {
    return this.run(
      'HeadObject',
      key,
      async (client, sdk) => (await client.send(new sdk.HeadObjectCommand({ Bucket: this.bucket, Key: k }))).Metadata?.[WRITER_TAG],
      (f) => (f.status === 404 ? { value: undefined } : undefined),
    );
  }

  async list(prefix: string): Promise<ObjectInfo[]> {
    checkListPrefix(this.uri, prefix);
    const full = this.prefix + prefix;
    const out: ObjectInfo[] = [];
    let token: string | undefined;
    do {
      const page = await this.run(`ListObjectsV2 (prefix '${prefix}')`, null, (client, sdk) =>
        client.send(
          new sdk.ListObjectsV2Command({ Bucket: this.bucket, Prefix: full, MaxKeys: this.pageSize, ...(token !== undefined ? { ContinuationToken: token } : {}) }),
        ),
      );
      for (const o of page.Contents ?? []) {
        const key = o.Key?.slice(this.prefix.length);
        // Objects other tools made ('dir/' placeholders, odd names) are not valid object keys: not ours.
        if (key === undefined || !isObjectKey(key)) continue;
        out.push({ key, size: o.Size ?? 0 });
      }
      token = page.IsTruncated === true ? page.NextContinuationToken : undefined;
      if (page.IsTruncated === true && token === undefined) {
        // Stopping here would return a silently incomplete listing.
        throw ioError('IO.S3_REQUEST_FAILED', `S3 ListObjectsV2 of prefix '${prefix}' in bucket '${this.bucket}' (${this.uri} at ${this.endpointText}) returned a truncated page without a continuation token`);
      }
    } while (token !== undefined);
    return out.sort(compareKeys);
  }

  async delete(key: string): Promise<void> {
    const k = this.s3Key(key);
    // DeleteObject of a missing key succeeds (204), which is the interface's no-op.
    await this.run('DeleteObject', key, async (client, sdk) => {
      await client.send(new sdk.DeleteObjectCommand({ Bucket: this.bucket, Key: k }));
    });
  }

  async exists(key: string): Promise<boolean> {
    const k = this.s3Key(key);
    return this.run(
      'HeadObject',
      key,
      async (client, sdk) => {
        await client.send(new sdk.HeadObjectCommand({ Bucket: this.bucket, Key: k }));
        return true;
      },
      (f) => (f.status === 404 ? this.afterHead404(false) : undefined),
    );
  }

  async lastModified(key: string): Promise<number> {
    const k = this.s3Key(key);
    const modified = (await this.head(key, k)).LastModified;
    // Every S3 server sends Last-Modified with a HEAD; without it an age-based cleaner must not guess.
    if (modified === undefined || Number.isNaN(modified.getTime())) {
      throw ioError('IO.S3_REQUEST_FAILED', `S3 HeadObject of ${this.where(key)} (${this.uri} at ${this.endpointText}) returned no Last-Modified time`);
    }
    return modified.getTime();
  }
}

/** Session configuration as `readOption` takes it: a map of keys or a lookup function. */
export type ConfigSource = Readonly<Record<string, string>> | ((key: string) => string | undefined);

/**
 * Store options from the `s3.*` configuration keys (declared in common/config.ts), falling back to the
 * usual AWS environment variables: `AWS_ENDPOINT_URL_S3` / `AWS_ENDPOINT_URL`, `AWS_ACCESS_KEY_ID`,
 * `AWS_SECRET_ACCESS_KEY` (+ `AWS_SESSION_TOKEN`), `AWS_REGION`. Keys come as a pair from one source, never
 * an access key from the configuration with a secret from the environment.
 */
export function s3OptionsFromConfig(config: ConfigSource = {}, env: Readonly<Record<string, string | undefined>> = process.env): S3ObjectStoreOptions {
  const get = (key: string): string | undefined => {
    const v = typeof config === 'function' ? config(key) : config[key];
    return v === undefined || v.trim() === '' ? undefined : v.trim();
  };
  const nonEmpty = (v: string | undefined): string | undefined => (v === undefined || v === '' ? undefined : v);
  const endpoint = get('s3.endpoint') ?? nonEmpty(env['AWS_ENDPOINT_URL_S3']) ?? nonEmpty(env['AWS_ENDPOINT_URL']);
  const accessKey = get('s3.access-key');
  const secretKey = get('s3.secret-key');
  if ((accessKey === undefined) !== (secretKey === undefined)) {
    throw userError('CONFIG.BAD_VALUE', `'s3.access-key' and 's3.secret-key' must be set together (only '${accessKey === undefined ? 's3.secret-key' : 's3.access-key'}' is set)`);
  }
  const fromEnv = accessKey === undefined && nonEmpty(env['AWS_ACCESS_KEY_ID']) !== undefined && nonEmpty(env['AWS_SECRET_ACCESS_KEY']) !== undefined;
  const pathStyle = get('s3.path.style.access');
  if (pathStyle !== undefined && !/^(true|false)$/i.test(pathStyle)) {
    throw userError('CONFIG.BAD_VALUE', `bad value '${pathStyle}' for 's3.path.style.access': expected true or false`);
  }
  return {
    endpoint,
    region: get('s3.region') ?? nonEmpty(env['AWS_REGION']) ?? readOption({}, 's3.region') ?? 'us-east-1',
    accessKeyId: accessKey ?? (fromEnv ? env['AWS_ACCESS_KEY_ID'] : undefined),
    secretAccessKey: secretKey ?? (fromEnv ? env['AWS_SECRET_ACCESS_KEY'] : undefined),
    sessionToken: fromEnv ? nonEmpty(env['AWS_SESSION_TOKEN']) : undefined,
    forcePathStyle: pathStyle === undefined ? endpoint !== undefined : pathStyle.toLowerCase() === 'true',
  };
}

async function bodyBytes(body: unknown): Promise<Uint8Array> {
  if (body === undefined || body === null) return new Uint8Array(0);
  return (body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray();
}

function md5Base64(bytes: Uint8Array): string {
  return createHash('md5').update(bytes).digest('base64');
}

function isObjectKey(key: string): boolean {
  try {
    checkObjectKey('', key);
    return true;
  } catch {
    return false;
  }
}

/** The local store's rule for prefixes: the part up to the last '/' is a valid key path; no backslash or NUL. */
function checkListPrefix(store: string, prefix: string): void {
  const slash = prefix.lastIndexOf('/');
  if (slash >= 0) checkObjectKey(store, prefix.slice(0, slash));
  if (prefix.includes('\\') || prefix.includes('\u0000')) {
    throw userError('IO.INVALID_KEY', `invalid key prefix '${prefix}' for store ${store}: it contains a backslash or NUL`);
  }
}

function positiveInt(name: string, v: number | undefined, dflt: number): number {
  if (v === undefined) return dflt;
  if (!Number.isSafeInteger(v) || v < 1) throw userError('CONFIG.BAD_VALUE', `S3 option ${name} must be a positive integer, got ${v}`);
  return v;
}

function nonNegative(name: string, v: number | undefined, dflt: number): number {
  if (v === undefined) return dflt;
  if (!Number.isFinite(v) || v < 0) throw userError('CONFIG.BAD_VALUE', `S3 option ${name} must be a non-negative number, got ${v}`);
  return v;
}
