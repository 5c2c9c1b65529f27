# PartnerSync worker: `partnersync serve` runs the scheduled jobs, with /healthz and
# /metrics on port 9108. Configure it with PARTNERSYNC_* environment variables (see
# docs/configuration.md); no secret is baked into the image.
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

FROM python:3.11-slim
RUN useradd --create-home --uid 10001 partnersync
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir --no-index /wheels/*.whl && rm -rf /wheels
USER partnersync
WORKDIR /home/partnersync
ENV PARTNERSYNC_SERVE_HOST=0.0.0.0 \
    PARTNERSYNC_SERVE_PORT=9108 \
    PARTNERSYNC_LOG_FORMAT=json \
    PYTHONUNBUFFERED=1
EXPOSE 9108
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["python", "-c", "import os, sys, urllib.error, urllib.request\nurl = 'http://127.0.0.1:%s/healthz' % os.environ.get('PARTNERSYNC_SERVE_PORT', '9108')\ntry: print(urllib.request.urlopen(url, timeout=4).read().decode())\nexcept urllib.error.HTTPError as answer: sys.exit(answer.read().decode())\nexcept OSError as error: sys.exit(f'no answer from {url}: {error}')"]
ENTRYPOINT ["partnersync"]
CMD ["serve"]
