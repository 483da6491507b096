import type { Clock } from '../clock.js';
import type { ActionName } from '../core/action-types.js';
import type { SimCluster } from '../sim/store.js';
import { SimDeployment, type DeployOptions } from '../sim/workloads.js';

/**
 * The demo's script: what the simulated cluster does, and when. Times are milliseconds from the start
 * of the story at --speed 1; the runner divides them by the speed. Kept as plain data so it reads
 * like the story it tells.
 */

/** The demo's windows (docs/design.md#incidents), short enough that the whole story is visible within a minute. */
export const DEMO_ENV: Readonly<Record<string, string>> = {
  GROUP_WAIT: '2s',
  GROUP_INTERVAL: '3s',
  RESOLVE_AFTER: '8s',
  STORM_THRESHOLD: '5',
  CLUSTER_NAME: 'demo',
};

/** The namespace whose incidents go to a channel of their own (podbell.io/channel), so the storm stands apart. */
export const STORM_NAMESPACE = 'batch';
/** The muted namespace: its workload fails all along and must never reach Slack. */
export const MUTED_NAMESPACE = 'legacy';
export const MUTED_WORKLOAD = 'report-builder';
/** How many batch workloads fail together (more than STORM_THRESHOLD). */
export const STORM_SIZE = 14;

/** The deployments of the story, reachable by `namespace/name`. */
export class Cast {
  readonly #sim: SimCluster;
  readonly #clock: Clock;
  readonly #deployments = new Map<string, SimDeployment>();

  constructor(sim: SimCluster, clock: Clock) {
    this.#sim = sim;
    this.#clock = clock;
  }

  deploy(o: DeployOptions): SimDeployment {
    const d = new SimDeployment(this.#sim, o, this.#clock);
    this.#deployments.set(`${o.namespace}/${o.name}`, d);
    return d;
  }

  get(id: string): SimDeployment {
    const d = this.#deployments.get(id);
    if (!d) throw new RangeError(`demo story: no deployment ${id}`);
    return d;
  }

  get size(): number {
    return this.#deployments.size;
  }
}

/**
 * Someone in Slack presses a button on the open incident of `workload` (`namespace/name`): the same
 * pipeline input a Socket Mode button press becomes (docs/slack-actions.md). Resolves once the press
 * is made: a person presses a button they see, so it waits for the parent to be in Slack.
 */
export type Press = (user: string, action: ActionName, workload: string, value?: string) => Promise<void>;

export interface StoryStep {
  /** When, in ms from the start of the story at speed 1. */
  readonly at: number;
  /** What the viewer is told the cluster does; a step without it is a detail (a container restarting). */
  readonly say?: string;
  /** A press returns its promise: later steps wait for it, as a person's next move would. */
  readonly act: (cast: Cast, press: Press) => void | Promise<void>;
}

export interface StorySetup {
  /** Route the storm namespace to this channel (absent: everything goes to SLACK_CHANNEL). */
  readonly stormChannel?: string;
}

export interface Story {
  /** Creates the namespaces and healthy workloads that exist before the bot starts; returns the line that introduces them. */
  readonly setup: (sim: SimCluster, cast: Cast) => string;
  readonly steps: readonly StoryStep[];
  /** When the story is over (the bot may still be finishing what it was told). */
  readonly endAt: number;
}

const etl = (i: number) => `etl-${String(i + 1).padStart(2, '0')}`;

const checkout = (c: Cast) => c.get('shop/checkout').crash();
const muted = (c: Cast) => c.get(`${MUTED_NAMESPACE}/${MUTED_WORKLOAD}`).crash();
const batch = (i: number) => (c: Cast) => c.get(`${STORM_NAMESPACE}/${etl(i)}`).crash();

/** #alerts before the storm: a crash loop, OOMKills, a bad image, a liveness kill, a mute by button, a muted namespace. */
function beforeTheStorm(): StoryStep[] {
  return [
    { at: 1_000, say: 'shop/checkout: all 3 replicas start crash-looping (exit 1)', act: checkout },
    { at: 4_500, say: 'shop/checkout: still crashing, restarts rising', act: checkout },
    { at: 6_000, say: 'jobs/worker: a replica is OOMKilled (exit 137), restarts', act: (c) => c.get('jobs/worker').oom([0]) },
    { at: 7_000, act: (c) => c.get('jobs/worker').recover([0]) },
    { at: 8_500, act: checkout },
    { at: 10_000, say: 'jobs/worker: the other replica is OOMKilled too', act: (c) => c.get('jobs/worker').oom([1]) },
    { at: 11_000, act: (c) => c.get('jobs/worker').recover([1]) },
    {
      at: 12_000,
      say: 'shop/api: rolled out with a bad image tag (api:2.4.l): ImagePullBackOff',
      act: (c) => c.deploy({ namespace: 'shop', name: 'api', replicas: 2, image: 'registry.example.com/api:2.4.l' }).imagePull(),
    },
    { at: 12_500, act: checkout },
    {
      at: 13_000,
      say: 'shop/cart: its liveness probe fails (HTTP 500), the kubelet kills it (exit 137); the thread says why',
      act: (c) => c.get('shop/cart').livenessFail([0]),
    },
    { at: 14_000, say: `${MUTED_NAMESPACE}/${MUTED_WORKLOAD}: crash-looping, but its namespace has podbell.io/mute: "true"`, act: muted },
    { at: 16_500, say: 'shop/checkout: still crashing (podbell edits the parent, no new posts)', act: checkout },
    { at: 17_000, act: (c) => c.get('shop/cart').recover([0]) },
    { at: 18_000, act: muted },
    // A press needs the parent in Slack (the press waits for it): #alerts holds api's a moment.
    { at: 18_500, say: 'Slack: on call (U0ONCALL) presses 🔕 Mute workload → for 1 hour on shop/api', act: (_c, press) => press('U0ONCALL', 'mute', 'shop/api', '1h') },
    { at: 18_700, say: 'shop/api: the image is fixed but the app crash-loops (muted: counted, not posted)', act: (c) => c.get('shop/api').crash() },
  ];
}

/** Every batch workload fails within ~2 s, and all crash again a little later. */
function theStorm(o: StorySetup): StoryStep[] {
  return [
    ...Array.from({ length: STORM_SIZE }, (_, i): StoryStep => ({
      at: 19_000 + i * 150,
      ...(i === 0 && {
        say: `${STORM_NAMESPACE}: ${STORM_SIZE} workloads fail within 2 s${o.stormChannel ? ` (routed to ${o.stormChannel})` : ''}, more than STORM_THRESHOLD`,
      }),
      act: batch(i),
    })),
    {
      at: 26_000,
      say: `${STORM_NAMESPACE}: all ${STORM_SIZE} crash again (counts edited in place, no new posts)`,
      act: (c) => {
        for (let i = 0; i < STORM_SIZE; i++) batch(i)(c);
      },
    },
  ];
}

/** #alerts while and after the storm: checkout is fixed, api keeps crashing muted, then the unmute. */
function afterTheStorm(): StoryStep[] {
  return [
    { at: 20_500, act: checkout },
    { at: 22_000, act: muted },
    { at: 24_000, say: 'shop/checkout: fix deployed, all 3 replicas running again', act: (c) => c.get('shop/checkout').recover() },
    { at: 26_500, act: muted },
    { at: 27_000, act: (c) => c.get('shop/api').crash() },
    { at: 29_000, say: 'Slack: U0ONCALL presses 🔔 Unmute on shop/api: one reply says what still fails', act: (_c, press) => press('U0ONCALL', 'unmute', 'shop/api') },
  ];
}

export function demoStory(o: StorySetup = {}): Story {
  // Steps are played in time order; at the same time (20.5 s) the storm's step comes first.
  const steps: StoryStep[] = [...beforeTheStorm(), ...theStorm(o), ...afterTheStorm()];
  return {
    setup(sim, cast) {
      sim.setNamespace('shop');
      sim.setNamespace('jobs');
      sim.setNamespace(MUTED_NAMESPACE, { 'podbell.io/mute': 'true' });
      sim.setNamespace(STORM_NAMESPACE, o.stormChannel ? { 'podbell.io/channel': o.stormChannel } : {});
      cast.deploy({ namespace: 'shop', name: 'checkout', replicas: 3 });
      cast.deploy({ namespace: 'shop', name: 'cart', replicas: 2 });
      cast.deploy({ namespace: 'jobs', name: 'worker', replicas: 2 });
      cast.deploy({ namespace: MUTED_NAMESPACE, name: MUTED_WORKLOAD, replicas: 2 });
      for (let i = 0; i < STORM_SIZE; i++) cast.deploy({ namespace: STORM_NAMESPACE, name: etl(i) });
      return `cluster: namespaces shop, jobs, ${MUTED_NAMESPACE} (muted), ${STORM_NAMESPACE}; ${cast.size} healthy deployments`;
    },
    steps,
    endAt: 36_000,
  };
}
