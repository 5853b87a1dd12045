"""Settings from the environment and the command line."""

import pytest

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
    ],
)
def test_bad_values(env):
    with pytest.raises(ConfigError, match=next(iter(env))):
        Settings.from_env(env)
