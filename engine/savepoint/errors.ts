/**
 * Every problem with savepoint bytes is a SavepointFormatError: it names the file, the byte offset
 * in that file, and what was expected there. Callers show `message` as is.
 */
export class SavepointFormatError extends Error {
  constructor(
    readonly file: string,
    readonly offset: number,
    readonly expected: string,
    readonly found?: string,
  ) {
    super(`${file} at offset ${offset}: expected ${expected}${found === undefined ? '' : `, found ${found}`}`);
    this.name = 'SavepointFormatError';
  }
}

/** Upper bounds that keep bad length fields from allocating without bound. */
export const Limits = {
  /** Largest single byte string (key, value, inline handle, snapshot blob) we accept. */
  maxBytes: 256 * 1024 * 1024,
  /** Largest element count of any collection-like field. */
  maxCount: 64 * 1024 * 1024,
  /** Deepest nesting of serializer snapshots / values. */
  maxDepth: 64,
} as const;
