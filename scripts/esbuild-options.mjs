// The esbuild settings podbell ships with, shared by the build (dist/, scripts/build.mjs) and by
// `npm run bench`, which measures the same shape of code.
//
// Why a bundle: @kubernetes/client-node's KubeConfig module imports the package's generated index,
// which evaluates every API class and model of the Kubernetes API (~70 MiB of heap, most of it never
// used by a bot that only needs KubeConfig for auth). Bundling client-node with `sideEffects: false`
// lets esbuild drop what KubeConfig does not reach (1.2 MB of generated code becomes ~40 KB).
// Every other dependency stays external and loads from node_modules as usual.

/** Packages bundled into dist/ (with their own dependencies) so that unused code is dropped. */
export const BUNDLED_PACKAGES = Object.freeze(['@kubernetes/client-node']);

const bare = /^(?:@[^/]+\/)?[^./][^/]*/;

/**
 * Imports of a bundled package that stay external, loaded from node_modules when first used: the
 * sim's OpenAPI documents (src/sim/openapi.ts) read every client-node model. Bundled, those models
 * would land in a chunk shared with `run` (esbuild splits by what each entry reaches), and `run`
 * must not load them.
 */
const EXTERNAL_DEEP_IMPORTS = Object.freeze([/^@kubernetes\/client-node\/dist\/gen\/models\//]);

const bundled = (file) => BUNDLED_PACKAGES.some((p) => file.includes(`/node_modules/${p}/`));

/** Keeps dependencies external, except BUNDLED_PACKAGES, whose unused modules are tree-shaken. */
const dependencies = {
  name: 'podbell-dependencies',
  setup(build) {
    build.onResolve({ filter: /.*/ }, async (args) => {
      if (args.pluginData?.resolving || args.kind === 'entry-point' || args.path.startsWith('node:')) return undefined;
      const ours = !args.importer.includes('/node_modules/');
      if (ours && EXTERNAL_DEEP_IMPORTS.some((re) => re.test(args.path))) return { path: args.path, external: true };
      if (ours && !/^[./]/.test(args.path) && !BUNDLED_PACKAGES.includes(args.path.match(bare)?.[0])) return { path: args.path, external: true };
      if (ours && /^[./]/.test(args.path)) return undefined;
      const r = await build.resolve(args.path, { kind: args.kind, importer: args.importer, resolveDir: args.resolveDir, pluginData: { resolving: true } });
      // Unresolvable: an optional dependency required inside try/catch (ws' bufferutil); esbuild's own
      // resolution leaves it to fail at run time, where the library expects it.
      if (r.errors.length > 0) return undefined;
      // Only client-node's own files are declared free of side effects (checked: none of them is
      // imported for its side effects alone); its dependencies keep esbuild's default.
      return bundled(r.path) ? { ...r, sideEffects: false } : r;
    });
  },
};

/** esbuild options for podbell's code as it ships: ESM for node 20, client-node bundled and slimmed. */
export function shippedOptions() {
  return {
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    plugins: [dependencies],
    // Bundled CommonJS (node-fetch, js-yaml's users) calls require() for node's built-ins.
    banner: { js: "import { createRequire as __podbellRequire } from 'node:module'; const require = __podbellRequire(import.meta.url);" },
    logLevel: 'warning',
  };
}
