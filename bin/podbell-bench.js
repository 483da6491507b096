#!/usr/bin/env node
// `npm run bench [-- --smoke] [-- --only NAME]`: runs bench/main.ts through tsx, like bin/podbell.js.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../bench/main.ts');
process.exitCode = await main(process.argv.slice(2));
