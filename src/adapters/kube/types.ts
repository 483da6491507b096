/** The contract between the pipeline and the list+watch loop (implemented in ./watch.ts); its Change is in src/ports.ts. */
export interface Watch {
  /** Begins listing and watching; returns at once. */
  start(): void;
  /** Stops the stream and every timer; resolves when the connection is closed. */
  stop(): Promise<void>;
  /** True once the initial LIST has been delivered through onChange. */
  readonly synced: boolean;
}
