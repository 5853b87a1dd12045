"""Settings from the environment and the command line."""

import pytest

from server.cli import uvicorn_options
from server.config import DEFAULT_STORE, ConfigError, Settings


def test_defaults():
    settings = Settings.from_env({})
    assert settings == Settings()
    assert (settings.store_url, settings.retention_days) == (DEFAULT_STORE, 7)
    assert (settings.host, settings.port) == ("127.0.0.1", 8000)


def test_environment():
    env = {
        "TRACKING_STORE": "mongodb://db:27017/tracking",
        "TRACKING_RETENTION_DAYS": "3",
        "TRACKING_HOST": "0.0.0.0",
        "TRACKING_PORT": "9000",
        "TRACKING_PURGE_INTERVAL": "60",
    }
    settings = Settings.from_env(env)
    assert settings == Settings("mongodb://db:27017/tracking", 3, "0.0.0.0", 9000, 60.0)


def test_the_serving_limits_from_the_environment():
    env = {
        "TRACKING_AUTH_FAILURES_PER_S": "0.5",
        "TRACKING_AUTH_FAILURE_BURST": "12",
        "TRACKING_FORWARDED_ALLOW_IPS": "10.0.0.1,10.0.0.2",
        "TRACKING_LIMIT_CONCURRENCY": "64",
        "TRACKING_KEEP_ALIVE_S": "2",
        "TRACKING_BODY_TIMEOUT_S": "7.5",
        "TRACKING_WORKERS": "3",
        "TRACKING_METRICS_TOKEN": "s3cret",
    }
    settings = Settings.from_env(env)
    assert (settings.auth_failures_per_s, settings.auth_failure_burst) == (0.5, 12)
    assert settings.forwarded_allow_ips == "10.0.0.1,10.0.0.2"
    assert (settings.limit_concurrency, settings.keep_alive_s) == (64, 2)
    assert (settings.body_timeout_s, settings.workers) == (7.5, 3)
    assert settings.metrics_token == "s3cret"
    options = uvicorn_options(settings)
    assert options["forwarded_allow_ips"] == "10.0.0.1,10.0.0.2"
    assert (options["limit_concurrency"], options["timeout_keep_alive"]) == (64, 2)
    assert Settings.from_env({"TRACKING_METRICS_TOKEN": ""}).metrics_token is None


def test_command_line_overrides_environment():
    settings = Settings.from_env({"TRACKING_PORT": "9000"}).with_overrides(port=8080, host=None)
    assert (settings.port, settings.host) == (8080, "127.0.0.1")


@pytest.mark.parametrize(
    "env",
    [
        {"TRACKING_RETENTION_DAYS": "seven"},
        {"TRACKING_RETENTION_DAYS": "0"},
        {"TRACKING_PORT": "-1"},
        {"TRACKING_PURGE_INTERVAL": "0"},
        {"TRACKING_WORKERS": "0"},
        {"TRACKING_LIMIT_CONCURRENCY": "many"},
        {"TRACKING_AUTH_FAILURES_PER_S": "-1"},
    ],
)
def test_bad_values(env):
    with pytest.raises(ConfigError, match=next(iter(env))):
        Settings.from_env(env)
