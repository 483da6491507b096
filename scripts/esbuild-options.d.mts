import type { BuildOptions } from 'esbuild';
export declare const BUNDLED_PACKAGES: readonly string[];
export declare function shippedOptions(): BuildOptions;
