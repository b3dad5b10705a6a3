# syntax=docker/dockerfile:1
#
# asana-otel-receiver container image.
#
#   docker build -t asana-otel-receiver .
#   docker run --rm -v asana-state:/data -e ASANA_TOKEN_FILE=/run/secrets/asana_token ... asana-otel-receiver
#
# Three stages:
#   build      node:24 slim (Debian 13): `npm ci` with dev dependencies, `npm run build` -> dist/
#   prod-deps  node:24 slim (Debian 13): `npm ci --omit=dev` -> node_modules with runtime dependencies only
#   runtime    distroless Node 24 (Debian 13), nonroot: node, dist/, node_modules/, package.json — no shell,
#              no npm, no package manager
#
# Why distroless for the runtime: the process holds an Asana service-account token that reads the whole
# domain's audit trail. An image without a shell or package manager gives an intruder nothing to work with
# and gives scanners little to report; the receiver needs nothing but node. Debug with the `debug-nonroot`
# tag of the same base (it adds a busybox shell), or run one-off commands through the entrypoint:
# `docker run --rm ... asana-otel-receiver state show`.
#
# Build and runtime use the same Debian release (13) so the node_modules copied from prod-deps (all pure
# JavaScript today) run on the libc they were installed against. For reproducible builds pin both base
# images by digest (image@sha256:...) and let Renovate/Dependabot move the digests.

# ---- build: compile TypeScript to dist/ --------------------------------------------------------------
FROM node:24-trixie-slim AS build
WORKDIR /app
# The lockfile alone decides what is installed. The `node` devDependency's install script fetches the
# pinned Node 24 binary (package.json `allowScripts`), so `npm run build` compiles with exactly the Node
# the project pins; it stays in this stage.
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

# ---- prod-deps: runtime dependencies only ------------------------------------------------------------
FROM node:24-trixie-slim AS prod-deps
WORKDIR /app
COPY package.json package-lock.json ./
# --omit=dev leaves out the toolchain (typescript, vitest) and the `node` binary package: the runtime
# image uses its own Node 24. --omit=optional as well: valibot declares TypeScript an optional peer,
# which makes npm keep the dev dependency typescript (and its native compiler) as an optional one of
# the runtime; the runtime has no other optional dependency.
RUN npm ci --omit=dev --omit=optional --no-audit --no-fund \
 && npm cache clean --force \
 && mkdir -p /data
# /data exists here so the runtime stage can copy it with nonroot ownership (COPY --chown also owns the
# destination directory it creates): distroless has no shell to mkdir/chown, and a named volume mounted
# on /data takes the image directory's ownership when it is created.

# ---- runtime -----------------------------------------------------------------------------------------
FROM gcr.io/distroless/nodejs24-debian13:nonroot AS runtime

# Set at build time: docker build --build-arg VERSION=$(node -p "require('./package.json').version") \
#   --build-arg REVISION=$(git rev-parse HEAD) --build-arg CREATED=$(date -u +%Y-%m-%dT%H:%M:%SZ) .
ARG VERSION=unknown
ARG REVISION=unknown
ARG CREATED=unknown
LABEL org.opencontainers.image.title="asana-otel-receiver" \
      org.opencontainers.image.description="Ships Asana's audit log as OpenTelemetry log records over OTLP/HTTP, losing nothing." \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.created="${CREATED}" \
      org.opencontainers.image.base.name="gcr.io/distroless/nodejs24-debian13:nonroot"

WORKDIR /app
COPY --from=prod-deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# package.json: "type": "module" for dist/*.js, and the version the receiver reports.
COPY package.json LICENSE ./
COPY --from=prod-deps --chown=65532:65532 /data /data

# The checkpoint lives on the volume; everything else in the container is disposable.
# glibc's malloc settings (src/malloc-env.ts says why, with the measurements): two arenas instead of
# one per allocating thread, up to 8 per core, each keeping the memory it touched; and the mmap and
# trim thresholds fixed at their initial 128 KiB, which glibc otherwise raises as large blocks are
# freed, then keeping freed memory. Both lower peak resident memory at no measurable CPU cost
# (npm run bench). glibc reads them at process start only: set here, the receiver starts with them
# (started without them, it restarts itself with them first).
ENV NODE_ENV=production \
    MALLOC_ARENA_MAX=2 \
    MALLOC_MMAP_THRESHOLD_=131072 \
    MALLOC_TRIM_THRESHOLD_=131072 \
    ASANA_STATE_FILE=/data/state.json
VOLUME /data

# The health server (/healthz, /readyz) on ASANA_HEALTH_ADDR, default 0.0.0.0:13133 (the port of the
# collector's health_check extension, so probes look alike).
EXPOSE 13133

# distroless `nonroot` is uid/gid 65532; numeric so Kubernetes runAsNonRoot can verify it.
USER 65532:65532

# No curl in distroless: the check is a small node script (dist/docker-healthcheck.js) that GETs
# /healthz on ASANA_HEALTH_ADDR and exits 0 on a 2xx answer.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["/nodejs/bin/node", "/app/dist/docker-healthcheck.js"]

# node is PID 1 and the receiver handles SIGTERM/SIGINT itself (src/run.ts): the in-flight page is
# abandoned uncommitted and the process exits 0 within 10 s — inside `docker stop`'s default 10 s grace
# period. It starts no child processes, so there are no zombies to reap and no init (tini) is needed.
STOPSIGNAL SIGTERM
ENTRYPOINT ["/nodejs/bin/node", "/app/dist/cli.js"]
CMD ["run"]
