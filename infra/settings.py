"""All settings in one object, read from GONGZHI_* environment variables."""

from __future__ import annotations

import base64
import binascii
from pathlib import Path
from urllib.parse import unquote, urlsplit

from pydantic import Field, SecretStr, ValidationError, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from infra.log_format import LogFormat

ENV_PREFIX = "GONGZHI_"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="ignore")

    data_dir: Path = Field(Path("data"), description="Embedded store directory (SQLite)")
    database_url: str | None = Field(
        None, description="postgresql://user[:password]@host[:port]/db selects PostgreSQL"
    )
    database_schema: str = Field("public", pattern=r"^[a-z_][a-z0-9_]{0,62}$")
    database_pool_size: int = Field(10, ge=1, le=200)
    command_concurrency: int = Field(
        0,
        ge=0,
        le=200,
        description="Commands run at once per process; 0: 8 on SQLite, the pool size on PostgreSQL",
    )
    aggregate_cache_size: int = Field(2000, ge=0)
    projections_in_process: bool = Field(
        True, description="Run the projections inside each API process (the embedded default)"
    )
    read_wait_seconds: float = Field(
        2.0, ge=0, le=30, description="How long a read with min_position waits for its view"
    )
    max_body_bytes: int = Field(
        64 * 1024, ge=1024, le=64 * 1024 * 1024, description="Largest request body taken (413 beyond)"
    )
    rate_limit_per_second: float = Field(
        100.0, ge=0, description="Requests a second each key (or address, unauthenticated) may make; 0: off"
    )
    rate_limit_burst: int = Field(
        1000, ge=1, description="Requests a key may make at once before the rate applies"
    )
    kafka_bootstrap_servers: str | None = Field(
        None, description="host:port[,host:port…] of Kafka; set, the relay runs inside `gongzhi serve`"
    )
    kafka_topic_partitions: int = Field(
        4, ge=1, le=1000, description="Partitions of topics the relay creates"
    )
    kafka_replication_factor: int = Field(1, ge=1, le=10)
    kafka_topic_prefix: str = Field(
        "", pattern=r"^[A-Za-z0-9._-]*$", description="Put before every topic name, e.g. `staging.`"
    )
    kafka_client_id: str = Field("gongzhi")
    kafka_group_id: str = Field("gongzhi-projections", description="Consumer group of Kafka-fed projectors")
    kafka_session_timeout_ms: int = Field(10_000, ge=1_000, le=300_000)
    kafka_heartbeat_interval_ms: int = Field(1_000, ge=100, le=60_000)
    event_source: str = Field("urn:gongzhi", description="The CloudEvents `source` of published events")
    audit_seal_every_events: int = Field(
        1000, ge=1, le=10_000_000, description="Seal a signed checkpoint after this many events"
    )
    audit_seal_interval_seconds: float = Field(
        60.0, gt=0, le=86_400, description="…or after this long, when some events are not sealed yet"
    )
    audit_signing_key: SecretStr | None = Field(
        None, description="base64 of the raw Ed25519 private key that signs checkpoints"
    )
    audit_seal_in_process: bool = Field(True, description="Run the sealer inside `gongzhi serve`")
    log_format: LogFormat = Field(
        "text", description="`text` lines for a terminal, or `json`: one JSON object a line"
    )
    master_key_file: Path | None = Field(
        None, description="A file that holds the master key (read when GONGZHI_MASTER_KEY is unset)"
    )
    master_key: SecretStr = Field(
        SecretStr(""),
        validate_default=True,
        description="base64 of the 32 random bytes that wrap each person's data key (required)",
    )

    @field_validator("master_key")
    @classmethod
    def _aes_key(cls, value: SecretStr, info: ValidationInfo) -> SecretStr:
        text = value.get_secret_value().strip()
        path = info.data.get("master_key_file")
        if not text and path is not None:
            try:
                text = path.read_text().strip()
            except OSError as error:
                raise ValueError(f"cannot read GONGZHI_MASTER_KEY_FILE {path}: {error.strerror}") from None
        elif not text:
            text = _key_beside_the_data(info.data.get("data_dir", Path("data")))
        return SecretStr(_master_key_text(text))

    def master_key_bytes(self) -> bytes:
        return base64.b64decode(self.master_key.get_secret_value())

    @field_validator("audit_signing_key")
    @classmethod
    def _ed25519_key(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None or not value.get_secret_value():
            return None
        raw = value.get_secret_value().strip()
        try:
            size = len(base64.b64decode(raw, validate=True))
        except binascii.Error:
            raise ValueError("must be base64 (of the 32-byte raw Ed25519 private key)") from None
        if size != 32:
            raise ValueError(f"must be base64 of 32 bytes (a raw Ed25519 private key), not {size}")
        return value

    @field_validator("kafka_bootstrap_servers")
    @classmethod
    def _host_ports(cls, value: str | None) -> str | None:
        if not value:
            return None
        for server in value.split(","):
            host, _, port = server.strip().rpartition(":")
            if not host or not port.isdigit():
                raise ValueError(f"{server!r} is not host:port")
        return value

    @field_validator("database_url")
    @classmethod
    def _postgres_only(cls, value: str | None) -> str | None:
        if value is None or value == "":
            return None
        parts = urlsplit(value)
        if parts.scheme not in ("postgresql", "postgres"):
            raise ValueError("must start with postgresql://")
        if not parts.hostname or not parts.path.strip("/"):
            raise ValueError("must name a host and a database: postgresql://user@host:5432/db")
        try:
            parts.port  # noqa: B018 - raises on a non-numeric port
        except ValueError as error:
            raise ValueError(f"bad port: {error}") from None
        return value

    @field_validator("command_concurrency")
    @classmethod
    def _default_concurrency(cls, value: int, info: ValidationInfo) -> int:
        if value:
            return value
        return info.data.get("database_pool_size", 10) if info.data.get("database_url") else 8

    @property
    def uses_postgres(self) -> bool:
        return self.database_url is not None

    def postgres_parts(self) -> dict[str, str]:
        assert self.database_url is not None
        parts = urlsplit(self.database_url)
        return {
            "host": parts.hostname or "127.0.0.1",
            "port": str(parts.port or 5432),
            "user": unquote(parts.username or "postgres"),
            "password": unquote(parts.password or ""),
            "dbname": parts.path.strip("/"),
        }


MAKE_MASTER_KEY = "openssl rand -base64 32"
PLACEHOLDERS = {"changethis", "changeme", "change-me", "change_me", "placeholder", "secret", "todo", "xxx"}


MASTER_KEY_FILE_NAME = "master.key"


def _key_beside_the_data(data_dir: Path) -> str:
    """The key in the data directory (where `make run` makes it), so that every `gongzhi`
    command run from the checkout finds the key the service was started with."""
    path = data_dir / MASTER_KEY_FILE_NAME
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        raise ValueError(
            f"required: base64 of 32 random bytes (e.g. `{MAKE_MASTER_KEY}`), "
            f"or GONGZHI_MASTER_KEY_FILE naming a file that holds it; {path} does not exist"
        ) from None
    except OSError as error:
        raise ValueError(f"cannot read {path}: {error.strerror}") from None


def _master_key_text(text: str) -> str:
    """The master key as given, if it is base64 of 32 bytes that look random; ValueError otherwise."""
    if not text:
        raise ValueError(
            f"required: base64 of 32 random bytes (e.g. `{MAKE_MASTER_KEY}`), "
            "or GONGZHI_MASTER_KEY_FILE naming a file that holds it"
        )
    if text.lower() in PLACEHOLDERS:
        raise ValueError(f"is a placeholder; set base64 of 32 random bytes (e.g. `{MAKE_MASTER_KEY}`)")
    try:
        raw = base64.b64decode(text, validate=True)
    except binascii.Error:
        raise ValueError(f"must be base64 of 32 random bytes (e.g. `{MAKE_MASTER_KEY}`)") from None
    if len(raw) != 32:
        raise ValueError(f"must be base64 of 32 bytes, not {len(raw)}")
    if len(set(raw)) < 16:  # 32 random bytes have about 30 different values
        raise ValueError(f"is a placeholder, not random bytes; make one with `{MAKE_MASTER_KEY}`")
    return text


class SettingsError(Exception):
    """A setting with a wrong value; the message names the environment variable."""


def load_settings(**overrides: object) -> Settings:
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as error:
        lines = [
            f"{ENV_PREFIX}{'_'.join(str(p) for p in e['loc']).upper()}: {e['msg']}" for e in error.errors()
        ]
        raise SettingsError("Invalid settings:\n  " + "\n  ".join(lines)) from None
