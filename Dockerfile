# Polaris-Chat Data Tracking: the GraphQL service.
#   docker build -t polaris-tracking .
#   docker run -p 8000:8000 -e TRACKING_STORE=mongodb://db:27017/polaris_tracking polaris-tracking
# Without TRACKING_STORE it keeps its data in SQLite on the /data volume.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /src
COPY pyproject.toml README.md ./
COPY server ./server
COPY resolvers ./resolvers
COPY store ./store
RUN pip install . && rm -rf /src/build /src/*.egg-info

RUN useradd --system --uid 10001 --home-dir /app --create-home tracking \
    && mkdir /data && chown tracking:tracking /data
USER tracking
WORKDIR /app

# Uvicorn worker processes (uvicorn reads WEB_CONCURRENCY): one per core of a
# small 2-core container; each worker opens its own store connection pool.
# GET /metrics sums every worker's series from PROMETHEUS_MULTIPROC_DIR, emptied
# at each start (below); set TRACKING_METRICS_TOKEN to require a bearer token.
ENV WEB_CONCURRENCY=2 \
    TRACKING_STORE=sqlite:////data/tracking.db \
    PROMETHEUS_MULTIPROC_DIR=/tmp/tracking-metrics
VOLUME ["/data"]
EXPOSE 8000

# Liveness only: /healthz does not touch the store, so the container is not
# restarted while MongoDB is away (/readyz says 503 meanwhile).
HEALTHCHECK --interval=30s --timeout=5s --start-period=15s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"]

# `polaris-tracking serve` runs one process; the app factory under uvicorn runs
# WEB_CONCURRENCY of them, configured from the same TRACKING_* environment.
CMD ["sh", "-c", "rm -rf \"$PROMETHEUS_MULTIPROC_DIR\" && mkdir -p \"$PROMETHEUS_MULTIPROC_DIR\" && exec uvicorn server.app:create_app --factory --host 0.0.0.0 --port 8000 --limit-concurrency 1000 --timeout-keep-alive 5 --h11-max-incomplete-event-size 16384"]
