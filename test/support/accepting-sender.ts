import type { Outgoing } from '../../src/core/outgoing.js';
import type { Delivery, Sender } from '../../src/ports.js';

/**
 * A Sender for pipeline tests: records every message and, like a Slack that takes everything, reports
 * it delivered at once (to `deliver`, usually the pipeline's outcome). `accept = false` holds outcomes back.
 */
export function acceptingSender(sent: Outgoing[], deliver: () => (d: Delivery) => void): Sender & { accept: boolean } {
  let ts = 0;
  return {
    accept: true,
    start: async () => {},
    send(o) {
      sent.push(o);
      if (this.accept) deliver()({ type: 'delivered', thread: o.thread, kind: o.kind, channel: 'C0ALERTS', ts: `${++ts}.000000`, message: o.message });
    },
    flush: async () => {},
    stop: () => {},
  };
}
