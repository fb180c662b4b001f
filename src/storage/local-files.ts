/**
 * Local file access for the file formats: listing data files, reading text in chunks, appending text and
 * committing by rename. Everything that touches `node:fs` for formats goes through this module, so that
 * moving file I/O behind the `ObjectStore` interface (DESIGN.md principle 4) later changes only this file.
 */
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { fileURLToPath } from 'node:url';
import { ioError, unsupported, type FloeError } from '../common/index.js';

/** `file:///a/b` and `file:/a/b` → `/a/b`; plain paths unchanged; other schemes (s3://, hdfs://) unsupported. */
export function toLocalPath(pathOrUri: string): string {
  if (pathOrUri.startsWith('file:')) {
    // `file://host/…` is not a local path; Flink's `file:///x` and `file:/x` are.
    if (pathOrUri.startsWith('file://') && !pathOrUri.startsWith('file:///')) {
      return path.resolve(pathOrUri.slice('file://'.length - 1));
    }
    return fileURLToPath(pathOrUri.startsWith('file:///') ? pathOrUri : 'file://' + pathOrUri.slice('file:'.length));
  }
  const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]+):\/\//.exec(pathOrUri);
  if (scheme) {
    throw unsupported('STORAGE.UNSUPPORTED_SCHEME', `file system scheme '${scheme[1]}' is not supported yet (path '${pathOrUri}'); use a local path or file://`);
  }
  return path.resolve(pathOrUri);
}

/** Hidden files and Hadoop/Flink marker files (`_SUCCESS`, `_temporary`) are not data. */
export function isDataFileName(name: string): boolean {
  return !name.startsWith('.') && !name.startsWith('_');
}

function notFound(p: string, cause: unknown): FloeError {
  return ioError('STORAGE.NOT_FOUND', `path '${p}' does not exist or cannot be read`, { cause });
}

/**
 * The data files at `root`: the file itself, or every data file below a directory (recursively, skipping
 * hidden and `_`-prefixed files and directories), sorted by path so that every subtask sees the same list.
 */
export async function listDataFiles(root: string): Promise<string[]> {
  let stat;
  try {
    stat = await fsp.stat(root);
  } catch (e) {
    throw notFound(root, e);
  }
  if (!stat.isDirectory()) return [root];
  const out: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    const entries = await fsp.readdir(dir, { withFileTypes: true });
    for (const e of entries) {
      if (!isDataFileName(e.name)) continue;
      const full = path.join(dir, e.name);
      if (e.isDirectory()) await walk(full);
      else if (e.isFile()) out.push(full);
    }
  };
  await walk(root);
  // Plain code-unit order (not locale order) so the list is the same on every machine.
  out.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return out;
}

/** Reads a UTF-8 file as a sequence of string chunks (multi-byte characters are never split). */
export class TextFileReader {
  private readonly decoder = new StringDecoder('utf8');
  private readonly buffer: Buffer;
  private done = false;

  private constructor(
    private readonly handle: fsp.FileHandle,
    chunkBytes: number,
  ) {
    this.buffer = Buffer.allocUnsafe(chunkBytes);
  }

  static async open(file: string, chunkBytes = 1 << 20): Promise<TextFileReader> {
    try {
      return new TextFileReader(await fsp.open(file, 'r'), chunkBytes);
    } catch (e) {
      throw notFound(file, e);
    }
  }

  /** The next chunk of text, or null at end of file. A chunk may be empty only at the very end. */
  async read(): Promise<string | null> {
    if (this.done) return null;
    const { bytesRead } = await this.handle.read(this.buffer, 0, this.buffer.length, null);
    if (bytesRead === 0) {
      this.done = true;
      const tail = this.decoder.end();
      return tail.length > 0 ? tail : null;
    }
    return this.decoder.write(this.buffer.subarray(0, bytesRead));
  }

  async close(): Promise<void> {
    await this.handle.close();
  }
}

/** Appends text to a new file (parent directories are created); tracks the bytes written for rolling. */
export class TextFileWriter {
  private written = 0;

  private constructor(
    readonly path: string,
    private readonly handle: fsp.FileHandle,
  ) {}

  static async create(file: string): Promise<TextFileWriter> {
    try {
      await fsp.mkdir(path.dirname(file), { recursive: true });
      return new TextFileWriter(file, await fsp.open(file, 'w'));
    } catch (e) {
      throw ioError('STORAGE.WRITE', `cannot create file '${file}'`, { cause: e });
    }
  }

  get bytesWritten(): number {
    return this.written;
  }

  async write(text: string): Promise<void> {
    if (text.length === 0) return;
    const bytes = Buffer.from(text, 'utf8');
    await this.handle.write(bytes, 0, bytes.length, null);
    this.written += bytes.length;
  }

  /** Flushes to disk and closes. */
  async close(): Promise<void> {
    await this.handle.sync();
    await this.handle.close();
  }
}

/** Atomically moves a finished file to its final name (same directory, so `rename` is atomic). */
export async function commitFile(from: string, to: string): Promise<void> {
  try {
    await fsp.rename(from, to);
  } catch (e) {
    throw ioError('STORAGE.WRITE', `cannot rename '${from}' to '${to}'`, { cause: e });
  }
}

/**
 * Idempotent commit: moves `from` to `to` when `from` still exists; when it does not but `to` does, the
 * move already happened (a repeated commit, e.g. replayed after recovery) and nothing is done. Returns
 * whether this call moved the file. Throws STORAGE.WRITE when neither exists (the pending file was lost).
 */
export async function commitFileOnce(from: string, to: string): Promise<boolean> {
  try {
    await fsp.rename(from, to);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT' && (await fileExists(to))) return false;
    throw ioError('STORAGE.WRITE', `cannot rename '${from}' to '${to}'`, { cause: e });
  }
}

export async function fileExists(file: string): Promise<boolean> {
  try {
    await fsp.stat(file);
    return true;
  } catch {
    return false;
  }
}

/** Writes an empty marker file (`_SUCCESS`), replacing one that exists; parent directories are created. */
export async function writeMarkerFile(file: string): Promise<void> {
  try {
    await fsp.mkdir(path.dirname(file), { recursive: true });
    await fsp.writeFile(file, '');
  } catch (e) {
    throw ioError('STORAGE.WRITE', `cannot write marker file '${file}'`, { cause: e });
  }
}

/** Removes a file if it exists (cleanup of abandoned in-progress files). */
export async function removeFile(file: string): Promise<void> {
  await fsp.rm(file, { force: true });
}
