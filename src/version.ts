import { readFileSync } from 'node:fs';
import { Gauge, type Registry } from 'prom-client';

/** podbell's version, from package.json (found from this file's URL: src/ and dist/ alike sit beside it). */
export function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

/** `podbell_build_info{version,node} 1`, the usual way to see which build a scrape came from. */
export function registerBuildInfo(registry: Registry, version: string): void {
  new Gauge({ name: 'podbell_build_info', help: 'podbell build: version and Node.js version (always 1)', labelNames: ['version', 'node'], registers: [registry] }).set({ version, node: process.versions.node }, 1);
}
