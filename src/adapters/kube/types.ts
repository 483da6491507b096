/** The contract between the pipeline and the list+watch loop (implemented in ./watch.ts). */
export type ChangeType = 'ADDED' | 'MODIFIED' | 'DELETED';

/** One change of one object, already projected: `prev` from the watch's own cache, `next` from the wire. */
export interface Change<T> {
  readonly type: ChangeType;
  readonly prev?: T;
  readonly next?: T;
  /** True when the change was inferred on a relist (the object vanished while we were not watching). */
  readonly synthetic?: boolean;
}

export interface Watch {
  /** Begins listing and watching; returns at once. */
  start(): void;
  /** Stops the stream and every timer; resolves when the connection is closed. */
  stop(): Promise<void>;
  /** True once the initial LIST has been delivered through onChange. */
  readonly synced: boolean;
}
