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

# Worker processes: one per core of a small 2-core container, each with its own
# store connections. GET /metrics sums every worker's series from
# PROMETHEUS_MULTIPROC_DIR, which `serve` empties at each start; set
# TRACKING_METRICS_TOKEN to require a bearer token.
ENV TRACKING_WORKERS=2 \
    TRACKING_HOST=0.0.0.0 \
    TRACKING_PORT=8000 \
    TRACKING_STORE=sqlite:////data/tracking.db \
    PROMETHEUS_MULTIPROC_DIR=/tmp/tracking-metrics
VOLUME ["/data"]
EXPOSE 8000

# Liveness only: /healthz does not touch the store, so the container is not
# restarted while MongoDB is away (/readyz says 503 meanwhile).
HEALTHCHECK --interval=30s --timeout=5s --start-period=15s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"]

# `serve` checks (or migrates) the store, then runs TRACKING_WORKERS workers, every
# setting from the TRACKING_* environment (README: Running).
CMD ["polaris-tracking", "serve"]
