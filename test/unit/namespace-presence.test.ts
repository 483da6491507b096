import { Registry } from 'prom-client';
import { ConsoleSender } from '../../src/adapters/slack/console.js';
import { Bot } from '../../src/app.js';
import { systemClock } from '../../src/clock.js';
import { loadConfig } from '../../src/config.js';
import { SimCluster, simKubeConfig, startSimServer } from '../../src/sim/index.js';
import { capturingLogger } from './kube-helpers.js';
import { waitFor } from '../support/wait.js';

test('WATCH_NAMESPACES naming a namespace that does not exist: one warning, and it is watched anyway', async () => {
  const sim = new SimCluster();
  sim.setNamespace('shop');
  const server = await startSimServer({ cluster: sim });
  const { log, lines } = capturingLogger();
  const config = loadConfig({ WATCH_NAMESPACES: 'shop,nope', GROUP_WAIT: '0' });
  const registry = new Registry();
  const bot = new Bot({ config, kubeConfig: simKubeConfig({ url: server.url }), sender: new ConsoleSender({ write: () => undefined }), clock: systemClock, log, registry });
  try {
    await bot.start();
    await waitFor('ready', () => bot.ready());
    const warnings = lines().filter((l) => l.level === 40 && l.msg.includes('WATCH_NAMESPACES'));
    expect(warnings.map((l) => l.msg)).toEqual(['WATCH_NAMESPACES names "nope", which does not exist: watching it anyway, in case it is created later']);
  } finally {
    await bot.stop(100);
    await server.close();
  }
});
