/**
 * Key groups of a dump rendered, or of a verification decoded, on worker threads (`fsp dump` on
 * large savepoints, `fsp verify`).
 *
 * Every worker opens the savepoint itself and renders whole key groups to dump bytes (or, for
 * verify, decodes and tallies them) with the same code as the serial path (KeyGroupJobRunner); for
 * the dump the main thread keeps a bounded window of key groups in flight and writes their bytes in
 * order, so the output is byte for byte the serial one. Bad bytes
 * come back as the same SavepointFormatError (file, offset, expectation); any other failure of a
 * worker fails the dump.
 *
 * The worker script is the CLI bundle itself (dist/fsp.js), started with WORKER_FLAG in its
 * workerData; it calls runKeyGroupWorker().
 */
import { Worker, parentPort, workerData } from 'node:worker_threads';
import { SavepointFormatError } from './errors';
import { KeyGroupJob, KeyGroupJobRunner, KeyGroupRenderer, KeyGroupTally, KeyGroupVerifier, openSavepoint } from './index';

export const WORKER_FLAG = 'fspKeyGroupWorker';

interface JobMessage {
  id: number;
  job: KeyGroupJob;
  /** count and decode (fsp verify) instead of rendering */
  tally?: boolean;
}

type ReplyMessage =
  | { id: number; bytes?: Uint8Array }
  | { id: number; tally: KeyGroupTally }
  | { id: number; formatError: { file: string; offset: number; expected: string; found?: string } }
  | { id: number; failure: string };

interface Pending {
  resolve(b: Uint8Array | KeyGroupTally | undefined): void;
  reject(e: unknown): void;
}

/**
 * A KeyGroupRenderer (fsp dump) and KeyGroupVerifier (fsp verify) over `threads` worker threads
 * running `script` on the savepoint `metadataPath`.
 */
export class KeyGroupPool implements KeyGroupRenderer, KeyGroupVerifier {
  readonly window: number;
  private readonly workers: { worker: Worker; outstanding: Set<number> }[] = [];
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private failure?: Error;

  constructor(script: string, metadataPath: string, threads: number) {
    // two key groups per thread keep every thread busy while the main thread writes
    this.window = 2 * threads;
    for (let i = 0; i < threads; i++) {
      const worker = new Worker(script, { workerData: { [WORKER_FLAG]: true, metadataPath }, stdout: false, stderr: false });
      const slot = { worker, outstanding: new Set<number>() };
      worker.on('message', (m: ReplyMessage) => {
        slot.outstanding.delete(m.id);
        const p = this.pending.get(m.id);
        if (!p) return;
        this.pending.delete(m.id);
        if ('formatError' in m) p.reject(new SavepointFormatError(m.formatError.file, m.formatError.offset, m.formatError.expected, m.formatError.found));
        else if ('failure' in m) p.reject(new Error(m.failure));
        else p.resolve('tally' in m ? m.tally : m.bytes);
      });
      const fail = (e: Error) => {
        this.failure ??= e;
        for (const id of slot.outstanding) {
          const p = this.pending.get(id);
          this.pending.delete(id);
          p?.reject(e);
        }
        slot.outstanding.clear();
      };
      worker.on('error', (e) => fail(e instanceof Error ? e : new Error(String(e))));
      worker.on('exit', (code) => fail(new Error(`a dump worker thread exited (code ${code})`)));
      this.workers.push(slot);
    }
  }

  render(job: KeyGroupJob): Promise<Uint8Array | undefined> {
    return this.submit(job, false) as Promise<Uint8Array | undefined>;
  }

  tally(job: KeyGroupJob): Promise<KeyGroupTally> {
    return this.submit(job, true) as Promise<KeyGroupTally>;
  }

  private submit(job: KeyGroupJob, tally: boolean): Promise<Uint8Array | KeyGroupTally | undefined> {
    if (this.failure) return Promise.reject(this.failure);
    // the least busy thread
    let slot = this.workers[0];
    for (const w of this.workers) if (w.outstanding.size < slot.outstanding.size) slot = w;
    const id = this.nextId++;
    slot.outstanding.add(id);
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      slot.worker.postMessage({ id, job, ...(tally ? { tally } : {}) } satisfies JobMessage);
    });
  }

  async close(): Promise<void> {
    this.failure ??= new Error('the dump worker pool is closed');
    await Promise.all(this.workers.map((w) => w.worker.terminate()));
  }
}

/** The worker thread's side: renders the jobs it receives one after another. */
export function runKeyGroupWorker(): void {
  const port = parentPort;
  if (!port) throw new Error('runKeyGroupWorker outside a worker thread');
  const { metadataPath } = workerData as { metadataPath: string };
  const runner = openSavepoint(metadataPath).then((sp) => new KeyGroupJobRunner(sp));
  let queue: Promise<void> = Promise.resolve();
  port.on('message', (m: JobMessage) => {
    queue = queue.then(async () => {
      let reply: ReplyMessage;
      try {
        if (m.tally) {
          port.postMessage({ id: m.id, tally: await (await runner).tally(m.job) } satisfies ReplyMessage);
          return;
        }
        const bytes = await (await runner).render(m.job);
        reply = { id: m.id, bytes };
        port.postMessage(reply, bytes ? [bytes.buffer as ArrayBuffer] : []);
        return;
      } catch (e) {
        reply =
          e instanceof SavepointFormatError
            ? { id: m.id, formatError: { file: e.file, offset: e.offset, expected: e.expected, found: e.found } }
            : { id: m.id, failure: e instanceof Error ? `${e.name}: ${e.message}` : String(e) };
      }
      port.postMessage(reply);
    });
  });
}
