# syntax=docker/dockerfile:1
# One image for every process of the portal; the command (and PORTAL_ROLE) picks what runs:
#   API             PORTAL_ROLE=api          node dist/apps/portal-api/src/main.js   (the default command)
#   worker          PORTAL_ROLE=worker       node dist/apps/portal-api/src/main.js
#   BYOC data plane PORTAL_ROLE=data-plane   node dist/apps/portal-api/src/main.js
#   both in one     PORTAL_ROLE=all          node dist/apps/portal-api/src/main.js   (the portal's default role)
#   migrations                               node dist/apps/portal-api/src/cli.js migrate
# Runs as a non-root user (10001) on a read-only root filesystem: only /tmp (and EVIDENCE_DIR when evidence
# is kept on a local volume) must be writable. No secret is baked in: configuration arrives as environment
# variables and mounted files at run time (see deploy/helm).
#
#   docker build -t incident-portal:0.1.0 --build-arg VERSION=0.1.0 --build-arg REVISION=$(git rev-parse HEAD) .
#
# For reproducible builds pin the base image by digest: --build-arg NODE_IMAGE=node:20-bookworm-slim@sha256:<digest>

ARG NODE_IMAGE=node:20-bookworm-slim

# ---- build: install every dependency from the lockfile, compile the API and bundle the web app ----
FROM ${NODE_IMAGE} AS build
WORKDIR /src
ENV npm_config_fund=false npm_config_audit=false npm_config_update_notifier=false PUPPETEER_SKIP_DOWNLOAD=true
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json nest-cli.json ./
COPY libs ./libs
COPY apps ./apps
RUN npm run build \
 && npm prune --omit=dev --no-audit --no-fund

# ---- runtime: Node 20, Debian's Chromium and fonts for the PDF renderer, the build output, no compilers ----
FROM ${NODE_IMAGE} AS runtime
ARG VERSION=0.1.0
ARG REVISION=unknown
ARG CREATED=unknown
LABEL org.opencontainers.image.title="incident-portal" \
      org.opencontainers.image.description="Multi-tenant incident-support portal: API, worker, BYOC data plane and migrations in one image" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.created="${CREATED}" \
      org.opencontainers.image.licenses="UNLICENSED" \
      org.opencontainers.image.vendor="Claresia" \
      org.opencontainers.image.source="https://github.com/claresia/incident-portal" \
      org.opencontainers.image.documentation="https://github.com/claresia/incident-portal/tree/main/deploy/helm" \
      org.opencontainers.image.base.name="${NODE_IMAGE}"

RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      chromium fonts-liberation fonts-dejavu-core fonts-noto-core fonts-noto-color-emoji fontconfig tini ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 portal \
 && useradd --system --uid 10001 --gid portal --home-dir /tmp --no-create-home --shell /usr/sbin/nologin portal \
 && mkdir -p /var/lib/portal/evidence \
 && chown 10001:10001 /var/lib/portal/evidence

WORKDIR /app
# Owned by root and not writable by the portal user: the code cannot be changed at run time.
COPY --from=build /src/package.json ./package.json
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/dist ./dist

# HOME and the XDG folders point at /tmp so Chromium and npm find a writable place on a read-only root filesystem.
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    WEB_DIST_DIR=/app/dist/portal-web \
    EVIDENCE_DIR=/var/lib/portal/evidence \
    PUPPETEER_EXECUTABLE_PATH=/usr/bin/chromium \
    PUPPETEER_SKIP_DOWNLOAD=true \
    HOME=/tmp \
    XDG_CONFIG_HOME=/tmp/.config \
    XDG_CACHE_HOME=/tmp/.cache \
    TMPDIR=/tmp

USER 10001:10001
EXPOSE 3000
VOLUME ["/tmp", "/var/lib/portal/evidence"]
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/health/live').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# tini as PID 1 forwards SIGTERM to Node (graceful shutdown in main.ts) and reaps Chromium's children.
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "dist/apps/portal-api/src/main.js"]
