# atlas-restore-mock as a container: docs/docker.md has the build, run, mount and compose recipes and the
# measured size and timings. Legacy-builder syntax only (no RUN --mount, no heredocs): it must build with
# Debian's docker.io, which has no BuildKit.
#
#   docker build -t atlas-restore-mock .
#   docker run --rm -p 8080:8080 atlas-restore-mock
#
# Choose another official Node.js base with --build-arg NODE_IMAGE=node:26-bookworm-slim (Node 22, 24 or 26).
ARG NODE_IMAGE=node:24-bookworm-slim

# Stage 1: compile TypeScript and bundle the CLI with the dev dependencies. --ignore-scripts: the only
# install script in the tree is esbuild's, which only checks that its platform binary (an optional
# dependency, installed without scripts) is there.
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json ./
COPY schemas ./schemas
COPY server ./server
# Source maps point at .ts files the image does not hold, and declarations are for the npm package.
RUN npm run build \
 && find dist -name '*.map' -delete \
 && find dist -name '*.d.ts' -delete

# Stage 2: production dependencies only, installed from the lockfile in a clean stage.
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund

# Runtime: node, the compiled server, production node_modules and the data it serves. Files belong to
# root and are read-only for the `node` user the server runs as.
FROM ${NODE_IMAGE}
# --max-semi-space-size=1 keeps V8's young generation at 1 MiB per semi-space instead of letting it grow
# to tens of MiB under load. Containers often run with the control API, and so with the request journal,
# whose recent entries outlive each young collection: on Node 24, 1,000,000 distinct ids with the journal
# on left 215 MiB of RSS without this option and 135 MiB with it (docs/performance.md). A documented Node
# option; NODE_OPTIONS from `docker run -e` replaces it.
ENV NODE_ENV=production \
    NODE_OPTIONS=--max-semi-space-size=1 \
    ATLAS_MOCK_HOST=0.0.0.0
WORKDIR /app
COPY package.json ./
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist/server ./dist/server
COPY --from=build /app/dist/schemas ./dist/schemas
COPY schemas/*.json ./schemas/
COPY fixtures ./fixtures
COPY examples/credentials.example.yaml ./examples/
USER node
EXPOSE 8080
# node instead of curl (the slim image has none). It follows ATLAS_MOCK_PORT; a port given as a --port
# flag is not seen here, so set the port through the env var.
HEALTHCHECK --interval=5s --timeout=3s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.ATLAS_MOCK_PORT || 8080) + '/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# node runs as PID 1 (the base image's entrypoint execs it). The CLI installs SIGTERM and SIGINT handlers,
# so `docker stop` closes the server gracefully and exits 0 without tini; `docker run --init` is optional.
CMD ["node", "dist/server/cli.js"]
