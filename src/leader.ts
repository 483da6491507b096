import { Counter, Gauge, type Registry } from 'prom-client';
import { KubeApiError } from './adapters/kube/errors.js';
import type { ReadLease } from './adapters/kube/lease.js';
import type { Cancel, Clock } from './clock.js';
import { decide, leadingUntil, released, type ElectionTimes, type LeaseRecord, type Observed } from './core/election.js';
import type { Logger } from './log.js';

/** The Lease as the elector needs it (LeaseClient over HTTP). */
export interface LeaseApi {
  readonly where: string;
  read(): Promise<ReadLease | undefined>;
  create(record: LeaseRecord): Promise<ReadLease | 'conflict'>;
  write(record: LeaseRecord, resourceVersion: string): Promise<ReadLease | 'conflict'>;
}

export interface LeaderElectorOptions {
  readonly lease: LeaseApi;
  /** POD_NAME, else hostname-pid: unique per replica. */
  readonly identity: string;
  readonly times: ElectionTimes;
  readonly clock: Clock;
  readonly log: Logger;
  readonly registry: Registry;
  /** This replica just became the leader (called once per term). */
  onStartedLeading(): void;
  /** This replica was the leader and must stop acting NOW: it could not renew in time, or another holds the Lease. */
  onStoppedLeading(why: string): void;
}

function metricsOf(registry: Registry) {
  const get = <M>(name: string, make: () => M): M => (registry.getSingleMetric(name) as M | undefined) ?? make();
  return {
    leader: get('podbell_leader', () => new Gauge({ name: 'podbell_leader', help: '1 while this replica holds the Lease (sends to Slack, writes the state), else 0.', registers: [registry] })),
    transitions: get(
      'podbell_leader_transitions_total',
      () => new Counter({ name: 'podbell_leader_transitions_total', help: 'Changes of the Lease holder this replica has seen (including its own takeovers and losses).', registers: [registry] }),
    ),
  };
}

/**
 * Runs the election loop: looks at the Lease every retry period as a standby, renews it every
 * LEASE_RENEW as the leader, and fences itself (onStoppedLeading) when a renew deadline passes
 * without a successful renew, whatever the requests in flight are doing. Decisions are src/core/election.ts.
 */
export class LeaderElector {
  readonly #o: LeaderElectorOptions;
  readonly #metrics: ReturnType<typeof metricsOf>;
  #observed: Observed | undefined;
  #holder: string | undefined;
  #leading = false;
  #stopped = false;
  #next: Cancel | undefined;
  #fence: Cancel | undefined;
  #isRefused = false;

  constructor(options: LeaderElectorOptions) {
    if (typeof options.identity !== 'string' || options.identity === '') throw new TypeError('LeaderElector: option identity must be a non-empty string');
    this.#o = options;
    this.#metrics = metricsOf(options.registry);
    this.#metrics.leader.set(0);
  }

  get leading(): boolean {
    return this.#leading;
  }

  /** Begins electing; returns at once. */
  start(): void {
    this.#o.log.info({ identity: this.#o.identity, lease: this.#o.lease.where }, 'leader election: standing for the Lease');
    void this.#tick();
  }

  /**
   * Stops electing. With `release` and the Lease mine, writes it released (no holder, 1 s), so a
   * standby takes over at its next look; call it after the last message and the last state save.
   */
  async stop(release: boolean): Promise<void> {
    this.#stopped = true;
    this.#next?.();
    const wasLeading = this.#leading;
    this.#setLeading(false);
    if (!release || !wasLeading) return;
    try {
      const cur = await this.#o.lease.read();
      if (!cur || cur.record.holderIdentity !== this.#o.identity) return;
      const r = await this.#o.lease.write(released(cur.record, this.#o.clock.now()), cur.resourceVersion);
      if (r !== 'conflict') this.#o.log.info({ identity: this.#o.identity, lease: this.#o.lease.where }, 'released the Lease: the standby takes over now');
    } catch (err) {
      this.#o.log.warn({ err, lease: this.#o.lease.where }, 'could not release the Lease; the standby takes over when it expires');
    }
  }

  async #tick(): Promise<void> {
    let delay = this.#o.times.retryMs;
    try {
      const cur = await this.#o.lease.read();
      if (this.#stopped) return;
      const d = decide(cur?.record, this.#observed, this.#o.identity, this.#o.clock.now(), this.#o.times);
      this.#observed = d.observed;
      if (d.kind === 'wait') {
        this.#seeHolder(d.holder);
        if (this.#leading) this.#lose(`the Lease is held by ${d.holder}`);
      } else {
        const sentAt = this.#o.clock.now();
        const written = d.kind === 'create' ? await this.#o.lease.create(d.record) : await this.#o.lease.write(d.record, cur!.resourceVersion);
        if (this.#stopped) return;
        // A conflict: someone else wrote first. Look again soon; the fence still runs if I was leading.
        if (written !== 'conflict') {
          this.#observed = { record: written.record, at: sentAt };
          this.#renewed(sentAt, d.kind === 'update' && d.takeover ? cur?.record.holderIdentity : undefined);
          delay = this.#o.times.renewMs;
        }
      }
      this.#refused(false);
    } catch (err) {
      if (this.#stopped) return;
      if (err instanceof KubeApiError && (err.status === 401 || err.status === 403)) this.#refused(true, err);
      else this.#o.log.warn({ err, lease: this.#o.lease.where, leading: this.#leading }, 'leader election: cannot reach the Lease; trying again');
    }
    if (!this.#stopped) this.#next = this.#o.clock.setTimer(delay, () => void this.#tick());
  }

  /** A write sent at `sentAt` succeeded: I lead until the renew deadline counted from then. */
  #renewed(sentAt: number, previous: string | undefined): void {
    this.#fence?.();
    const until = leadingUntil(sentAt, this.#o.times);
    this.#fence = this.#o.clock.setTimer(until - this.#o.clock.now(), () => this.#lose(`no renew of the Lease succeeded for ${this.#o.times.renewDeadlineMs} ms`));
    this.#seeHolder(this.#o.identity);
    if (this.#leading) return;
    this.#setLeading(true);
    this.#o.log.info({ identity: this.#o.identity, previous: previous || undefined, lease: this.#o.lease.where }, `leading: ${this.#o.identity} holds the Lease`);
    this.#o.onStartedLeading();
  }

  #lose(why: string): void {
    if (!this.#leading) return;
    this.#setLeading(false);
    this.#o.log.error({ identity: this.#o.identity, lease: this.#o.lease.where }, `lost the Lease: ${why}`);
    this.#o.onStoppedLeading(why);
  }

  #setLeading(leading: boolean): void {
    if (!leading) {
      this.#fence?.();
      this.#fence = undefined;
    }
    this.#leading = leading;
    this.#metrics.leader.set(leading ? 1 : 0);
  }

  /**
   * Refused access to the Lease is a setup problem, not a blip: this replica can never lead, so
   * nothing would ever be sent. Said once as an error naming the fix, and once when it is over.
   */
  #refused(refused: boolean, err?: KubeApiError): void {
    if (refused === this.#isRefused) return;
    this.#isRefused = refused;
    if (refused) this.#o.log.error({ err, lease: this.#o.lease.where, status: err?.status }, `leader election: access to the Lease ${this.#o.lease.where} refused; this replica cannot lead, so it sends nothing. Grant get and update on it and create on leases (the chart's leader-election Role); retrying`);
    else this.#o.log.info({ lease: this.#o.lease.where }, 'leader election: access to the Lease restored');
  }

  #seeHolder(holder: string): void {
    if (holder === this.#holder) return;
    const first = this.#holder === undefined;
    this.#holder = holder;
    if (!first || holder === this.#o.identity) this.#metrics.transitions.inc();
    if (holder !== this.#o.identity) this.#o.log.info({ identity: this.#o.identity, leader: holder || undefined, lease: this.#o.lease.where }, holder ? `standby: ${holder} is the leader` : 'standby: the Lease is free');
  }
}
