# PartnerSync worker: `partnersync serve` runs the scheduled jobs, with /healthz,
# /readyz and /metrics on port 9108 (internal: probes and scrapes only, never publish
# it) and, with PARTNERSYNC_PORTAL_SECRET_KEY set, the partner portal on port 9110 (the
# one port to publish, behind a TLS proxy: docs/portal.md). Configure it with PARTNERSYNC_* environment variables (see
# docs/configuration.md); no secret is baked into the image.
#
#   docker build -t partnersync .                           # the production image (last stage)
#   docker build --target demo -t partnersync-demo .        # the same plus the demo
#   docker run --rm -it -p 127.0.0.1:8080:8080 --name partnersync-demo partnersync-demo
#   docker exec -it partnersync-demo bash                   # then the commands it prints
# The demo's portal listens on 0.0.0.0:8080 inside its container only, so the printed
# http://127.0.0.1:8080 links open in the host's browser; elsewhere it stays on 127.0.0.1.
FROM python:3.11-slim AS build
WORKDIR /src
# The worker only: the stand-ins (standins/) are not part of the image. Versions are
# constraints.txt's, the ones the tests ran with (scripts/lock.sh refreshes them).
COPY pyproject.toml README.md constraints.txt ./
COPY sync ./sync
COPY mappings ./mappings
COPY jobs ./jobs
RUN pip install --no-cache-dir --upgrade pip \
 && pip wheel --no-cache-dir --wheel-dir /wheels -c constraints.txt '.[postgres]'

# The stand-ins' own wheel, for the demo image only (their one other dependency,
# werkzeug, is the worker's too).
FROM build AS build-demo
COPY standins ./standins
RUN pip wheel --no-cache-dir --no-deps --wheel-dir /wheels-demo ./standins

# What both images share: the worker, installed from the wheels alone.
FROM python:3.11-slim AS runtime
RUN useradd --create-home --uid 10001 partnersync
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir --no-index /wheels/*.whl && rm -rf /wheels
WORKDIR /home/partnersync
ENV PYTHONUNBUFFERED=1

# The demo: the worker with the HubSpot and Stripe stand-ins seeded with fixtures/demo
# (docs/sandbox.md). It runs one cycle, prints where to look next and keeps the
# stand-ins up until stopped; run the printed commands in the container (docker exec).
FROM runtime AS demo
COPY --from=build-demo /wheels-demo /wheels-demo
RUN pip install --no-cache-dir --no-index --no-deps /wheels-demo/*.whl && rm -rf /wheels-demo
COPY fixtures/demo /opt/partnersync/fixtures/demo
USER partnersync
EXPOSE 8080
ENTRYPOINT ["partnersync"]
CMD ["demo", "--fixtures", "/opt/partnersync/fixtures/demo", "--serve", "--portal-host", "0.0.0.0", "--portal-port", "8080"]

# Production (the default target): no stand-ins, no fixtures.
FROM runtime AS production
USER partnersync
ENV PARTNERSYNC_SERVE_HOST=0.0.0.0 \
    PARTNERSYNC_SERVE_PORT=9108 \
    PARTNERSYNC_PORTAL_PORT=9110 \
    PARTNERSYNC_LOG_FORMAT=json
# 9108: /healthz, /readyz, /metrics -- internal (the orchestrator's probes, Prometheus);
#       do not publish it: /healthz shows the jobs' errors.
# 9110: the partner portal -- the only port to publish (through the TLS proxy).
EXPOSE 9108 9110
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["python", "-c", "import os, sys, urllib.error, urllib.request\nurl = 'http://127.0.0.1:%s/healthz' % os.environ.get('PARTNERSYNC_SERVE_PORT', '9108')\ntry: print(urllib.request.urlopen(url, timeout=4).read().decode())\nexcept urllib.error.HTTPError as answer: sys.exit(answer.read().decode())\nexcept OSError as error: sys.exit(f'no answer from {url}: {error}')"]
ENTRYPOINT ["partnersync"]
CMD ["serve"]
