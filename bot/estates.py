"""Many estates from one deployment: a TOML file lists them, each with its key (also the name
of its PostgreSQL schema and of its webhook path), the environment variable holding its bot
token, and its settings file:

    [[estates]]
    key = "harbour_view"
    token_env = "HARBOUR_VIEW_BOT_TOKEN"
    settings = "/etc/estatedesk/harbour_view.toml"   # optional: the defaults otherwise
    line_secret_env = "HARBOUR_VIEW_LINE_SECRET"     # optional: the estate's LINE account
    line_token_env = "HARBOUR_VIEW_LINE_TOKEN"       # (both, or neither)

An estate with LINE takes LINE's webhook at /line/<key>; LINE_API_URL and LINE_PUBLIC_URL
are the deployment's, for every estate.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass

from bot.config import ConfigError, LineConfig, estate_settings, line_config
from workflow.settings import EstateSettings

KEY = re.compile(r"[a-z_][a-z0-9_]{0,62}")


@dataclass(frozen=True)
class Estate:
    key: str
    token: str
    settings: EstateSettings
    line: LineConfig | None = None


def load(path: str, env: dict[str, str] | None = None) -> list[Estate]:
    environ = dict(os.environ if env is None else env)
    try:
        with open(path, "rb") as f:
            raw = tomllib.load(f)
    except FileNotFoundError:
        raise ConfigError(f"--estates: the file {path} does not exist") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"--estates: {path} is not valid TOML ({exc})") from None
    listed = raw.get("estates")
    if not isinstance(listed, list) or not listed or not all(isinstance(e, dict)
                                                             for e in listed):
        raise ConfigError(f"--estates: {path} must list [[estates]], each with a key and a "
                          f"token_env")
    found, seen = [], set()
    for n, entry in enumerate(listed, start=1):
        key, token_env = entry.get("key"), entry.get("token_env")
        if not isinstance(key, str) or not KEY.fullmatch(key):
            raise ConfigError(f"estates[{n}]: key must be lower-case letters, digits and '_' "
                              f"(it names the estate's schema and its webhook path)")
        if key in seen:
            raise ConfigError(f"estates[{n}]: the key {key} is listed twice")
        seen.add(key)
        token = environ.get(token_env, "").strip() if isinstance(token_env, str) else ""
        if not token:
            raise ConfigError(f"estates[{n}] ({key}): set the environment variable "
                              f"{token_env or 'named by token_env'} to its bot token")
        settings = entry.get("settings")
        found.append(Estate(key, token, estate_settings(settings if isinstance(settings, str)
                                                        else None),
                            _line(n, key, entry, environ)))
    return found


def _line(n: int, key: str, entry: dict, environ: dict[str, str]) -> LineConfig | None:
    secret_env, token_env = entry.get("line_secret_env"), entry.get("line_token_env")
    if secret_env is None and token_env is None:
        return None
    if not isinstance(secret_env, str) or not isinstance(token_env, str) or \
            not secret_env or not token_env:
        raise ConfigError(f"estates[{n}] ({key}): LINE needs both line_secret_env and "
                          f"line_token_env, each the name of an environment variable")
    try:
        found = line_config(environ, secret_env, token_env)
    except ConfigError as exc:
        raise ConfigError(f"estates[{n}] ({key}): {exc}") from None
    if found is None:
        raise ConfigError(f"estates[{n}] ({key}): set the environment variables {secret_env} "
                          f"and {token_env} to its LINE channel secret and access token")
    return found
