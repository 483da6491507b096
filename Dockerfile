# syntax=docker/dockerfile:1
# podbell container image: `docker build -t ghcr.io/podbell/podbell:0.1.0 .`
# Stage 1 installs production dependencies only and compiles src/ to plain JavaScript (dist/);
# stage 2 copies both, and bin/podbell.js runs dist/ (no TypeScript loader at run time).

ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS deps
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
# Dependency install scripts are not needed: esbuild ships its binary as an optional
# per-platform package.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
 && npm cache clean --force
# Plain JavaScript in production (dist/: one chunk per command, @kubernetes/client-node bundled
# without the API models podbell never uses; see scripts/esbuild-options.mjs): no TypeScript
# loader in memory at run time. bin/podbell.js runs dist/ because it is newer than every source.
COPY scripts/build.mjs scripts/esbuild-options.mjs ./scripts/
COPY src ./src
RUN node scripts/build.mjs

FROM ${NODE_IMAGE}
LABEL org.opencontainers.image.title="podbell" \
      org.opencontainers.image.description="Kubernetes pod-failure alerts for Slack" \
      org.opencontainers.image.source="https://github.com/podbell/podbell" \
      org.opencontainers.image.licenses="Apache-2.0"
# A fixed, unprivileged UID/GID (the chart's securityContext uses the same 10001), and no package
# managers at run time: podbell needs only `node`.
RUN groupadd --system --gid 10001 podbell \
 && useradd --system --uid 10001 --gid 10001 --no-create-home --home-dir /nonexistent \
      --shell /usr/sbin/nologin podbell \
 && rm -rf /usr/local/lib/node_modules/npm /usr/local/lib/node_modules/corepack \
      /usr/local/bin/npm /usr/local/bin/npx /usr/local/bin/corepack /opt/yarn-* \
      /usr/local/bin/yarn /usr/local/bin/yarnpkg
WORKDIR /app
ENV NODE_ENV=production \
    HTTP_PORT=8080
COPY --from=deps /app/node_modules ./node_modules
COPY package.json tsconfig.json ./
COPY bin ./bin
COPY src ./src
COPY --from=deps /app/dist ./dist
USER 10001:10001
EXPOSE 8080
# Exec form: no shell is involved at run time. `podbell run` watches the cluster (see docs/design.md#commands).
ENTRYPOINT ["node", "bin/podbell.js"]
CMD ["run"]
