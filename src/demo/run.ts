import { Registry } from 'prom-client';
import type { SlackCall } from '../adapters/slack/recording.js';
import type { Sender } from '../adapters/slack/types.js';
import { Bot } from '../app.js';
import { DeliveryRelay } from '../ports.js';
import { systemClock, type Clock } from '../clock.js';
import type { Config } from '../config.js';
import type { Logger } from '../log.js';
import { SimCluster } from '../sim/store.js';
import { startSimServer } from '../sim/server.js';
import { simKubeConfig } from '../sim/kubeconfig.js';
import { LiveSender } from './live-sender.js';
import { sleep } from './sleep.js';
import { Cast, demoStory, MUTED_NAMESPACE, type Press, type Story } from './story.js';
import { countCalls, metricSum, type DemoSummary } from './summary.js';
import { DemoView } from './view.js';

/** Where the storm namespace is routed when the demo renders to the terminal. */
export const DEMO_STORM_CHANNEL = '#alerts-batch';
/** How long the bot gets to start watching the sim before the demo gives up. */
const READY_TIMEOUT_MS = 15_000;

export interface DemoOptions {
  /** The bot's configuration at speed 1 (the demo's windows, or the user's where set). */
  readonly config: Config;
  /** Story and windows run this many times faster (> 0). */
  readonly speed: number;
  readonly log: Logger;
  readonly registry?: Registry;
  /** Where the terminal view goes. */
  readonly write: (s: string) => void;
  /** Redraw the conversation in place (a TTY) instead of appending lines. */
  readonly redraw: boolean;
  readonly color: boolean;
  /** The real Slack sender, when posting to Slack; the terminal view is then what was sent there. */
  readonly slack?: Sender;
  /** How long shutdown waits for Slack to take queued messages. */
  readonly flushDeadlineMs?: number;
  /** Ctrl-C: the story stops where it is, the bot stops cleanly, the summary is still made. */
  readonly signal?: AbortSignal;
  readonly clock?: Clock;
  /** Default: the demo's own story. */
  readonly story?: Story;
}

/** Every window of the config `speed` times shorter. */
export function scaleWindows(c: Config, speed: number): Config {
  const w = c.incidents;
  return Object.freeze({
    ...c,
    incidents: Object.freeze({
      ...w,
      groupWaitMs: w.groupWaitMs / speed,
      groupIntervalMs: w.groupIntervalMs / speed,
      repeatIntervalMs: w.repeatIntervalMs / speed,
      resolveAfterMs: w.resolveAfterMs / speed,
      reopenWindowMs: w.reopenWindowMs / speed,
      threadMaxAgeMs: w.threadMaxAgeMs / speed,
    }),
  });
}

/**
 * The demo: a SimCluster served over loopback HTTP, the real Bot watching it, and the story played
 * against the cluster while the terminal shows the Slack threads the bot makes. Ends by itself (or on
 * `signal`) with everything stopped and closed, and returns the true counts of what happened.
 */
export async function runDemo(o: DemoOptions): Promise<DemoSummary> {
  if (!(o.speed > 0 && Number.isFinite(o.speed))) throw new TypeError(`runDemo: option speed must be a number > 0, got ${o.speed}`);
  const clock = o.clock ?? systemClock;
  const registry = o.registry ?? new Registry();
  const config = scaleWindows(o.config, o.speed);
  const story = o.story ?? demoStory(o.slack ? {} : { stormChannel: DEMO_STORM_CHANNEL });
  const at = (storyMs: number) => storyMs / o.speed;

  const sim = new SimCluster({ clock });
  const cast = new Cast(sim, clock);
  const intro = story.setup(sim, cast);
  const server = await startSimServer({ cluster: sim, port: 0, clock });

  const view = new DemoView({
    write: o.write,
    redraw: o.redraw,
    color: o.color,
    clock,
    title: `podbell demo · ${o.slack ? `posting to Slack ${o.config.slackChannel}` : 'Slack as it would look'} · speed ${o.speed}`,
  });
  const calls: SlackCall[] = [];
  const deliveries = new DeliveryRelay();
  const sender = new LiveSender({
    clock,
    onOutcome: deliveries.report,
    onCall: (c) => {
      calls.push(c);
      view.call(c);
    },
    ...(o.slack && { forward: o.slack }),
  });
  const bot = new Bot({ config, kubeConfig: simKubeConfig({ url: server.url }), sender, deliveries, clock, log: o.log, registry });
  const started = clock.now();
  let interrupted = false;
  let presses = 0;
  const press: Press = (user, action, workload, value) => {
    const [namespace, name] = workload.split('/');
    const inc = Object.values(bot.pipeline.book.incidents).find((i) => i.namespace === namespace && i.workload.name === name && i.status !== 'resolved');
    const result = inc ? bot.pipeline.action({ type: 'action', envelope: `demo:${++presses}`, user, action, thread: inc.id, ...(value !== undefined && { value }) }).result : 'unknown_incident';
    if (result !== 'applied') view.narrate(`(the ${action} press changed nothing: ${result})`);
  };

  try {
    await bot.start();
    const readyBy = clock.now() + READY_TIMEOUT_MS;
    while (!bot.ready()) {
      if (clock.now() > readyBy) throw new Error(`the bot did not finish its initial lists of the simulated cluster within ${READY_TIMEOUT_MS / 1000}s`);
      await sleep(clock, 20, o.signal);
      if (o.signal?.aborted) break;
    }
    view.narrate(`${intro}; podbell is watching${o.slack ? ` and posting to Slack ${o.config.slackChannel}` : ''}`);
    view.narrate(`windows: GROUP_WAIT ${secs(o.config.incidents.groupWaitMs)} · GROUP_INTERVAL ${secs(o.config.incidents.groupIntervalMs)} · RESOLVE_AFTER ${secs(o.config.incidents.resolveAfterMs)} · STORM_THRESHOLD ${o.config.incidents.stormThreshold}${o.speed !== 1 ? ` (all ${o.speed}× faster)` : ''}`);

    const t0 = clock.now();
    // In time order, whatever order the script lists them in (steps at the same time keep theirs).
    for (const step of [...story.steps].sort((a, b) => a.at - b.at)) {
      await sleep(clock, t0 + at(step.at) - clock.now(), o.signal);
      if (o.signal?.aborted) break;
      if (step.say !== undefined) view.narrate(step.say);
      step.act(cast, press);
    }
    await sleep(clock, t0 + at(story.endAt) - clock.now(), o.signal);
    // Give the bot the time it may still need (a resolution due) to finish what the story started.
    const w = config.incidents;
    const settleBy = clock.now() + w.resolveAfterMs + 2 * w.groupIntervalMs + w.groupWaitMs;
    while (!o.signal?.aborted && busy(bot) && clock.now() < settleBy) await sleep(clock, 20, o.signal);
    interrupted = o.signal?.aborted === true;
    if (interrupted) view.narrate('interrupted: stopping the bot');
    else view.narrate('story over: stopping the bot');
  } finally {
    await bot.stop(o.flushDeadlineMs ?? 5000);
    await server.close();
  }
  view.close();

  const book = bot.pipeline.book;
  const mutedIn = await metricSum(registry, 'podbell_failures_muted_total', (l) => l.namespace === MUTED_NAMESPACE);
  const counted = countCalls(calls);
  const requests = (method: string, ok: boolean) => metricSum(registry, 'podbell_slack_requests_total', (l) => l.method === method && (l.outcome === 'ok') === ok);
  const slackRequests = o.slack && {
    posts: await requests('chat.postMessage', true),
    edits: await requests('chat.update', true),
    failed: (await requests('chat.postMessage', false)) + (await requests('chat.update', false)),
  };
  return {
    wallMs: clock.now() - started,
    speed: o.speed,
    interrupted,
    watchEvents: await metricSum(registry, 'podbell_watch_events_total', (l) => l.type === 'ADDED' || l.type === 'MODIFIED' || l.type === 'DELETED'),
    failures: await metricSum(registry, 'podbell_failures_detected_total'),
    muted: await metricSum(registry, 'podbell_failures_muted_total'),
    mutedNamespace: { name: MUTED_NAMESPACE, failures: mutedIn },
    incidents: Object.values(book.incidents).filter((i) => i.posted).length,
    storms: Object.keys(book.storms).length,
    ...counted,
    // Slack's own queue collapses edits that pile up behind its rate limit: count those it really made.
    ...(slackRequests && { edits: slackRequests.edits, slackRequests }),
  };
}

/** The bot has something due soon: an incident waiting to be posted or to be resolved. */
function busy(bot: Bot): boolean {
  return Object.values(bot.pipeline.book.incidents).some((i) => i.status === 'pending' || i.status === 'resolving');
}

const secs = (ms: number) => (ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`);
