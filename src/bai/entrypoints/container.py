"""The composition root, providers only: the adapters, then the use cases built on them."""

from dependency_injector import containers, providers

from bai.adapters.backends import storage_for
from bai.adapters.memory.failed_attempts import InMemoryFailedAttempts
from bai.adapters.memory.rate_limiter import InMemoryRateLimiter
from bai.adapters.prometheus.metrics import PrometheusMetrics
from bai.adapters.prometheus.wechat import MeteredWeChatGateway
from bai.adapters.redis.client import redis_client
from bai.adapters.redis.failed_attempts import RedisFailedAttempts
from bai.adapters.redis.login_code_ledger import RedisLoginCodeLedger
from bai.adapters.redis.rate_limiter import RedisRateLimiter
from bai.adapters.redis.shared_cache import shared_cache
from bai.adapters.shared_reads import SharedReadsUserRepository
from bai.adapters.system.argon2_passwords import Argon2PasswordHasher
from bai.adapters.system.clock import SystemClock
from bai.adapters.system.ids import SecretsIdGenerator
from bai.adapters.tokens.pocketbase_jwt import PocketBaseTokenIssuer
from bai.adapters.wechat.api import WeChatApi
from bai.adapters.wechat.http1_transport import new_transport
from bai.adapters.wechat.sandbox import SandboxWeChatGateway
from bai.adapters.wechat.server_gateway import WeChatServerGateway, credentials_of
from bai.entrypoints.closing import aclose_of, closed_at_exit
from bai.entrypoints.config.settings import Settings
from bai.entrypoints.signing import signing_of
from bai.entrypoints.use_cases import UseCases


class Adapters(containers.DeclarativeContainer):
    config = providers.Configuration(strict=True)

    clock = providers.Singleton(SystemClock)
    metrics = providers.Singleton(PrometheusMetrics)
    ids = providers.Singleton(SecretsIdGenerator)
    storage = providers.Singleton(storage_for, config.storage, clock=clock)
    users = storage.provided.users
    identities = storage.provided.identities
    sessions = storage.provided.sessions
    push_events = storage.provided.push_events
    operators = storage.provided.operators
    audit = storage.provided.audit
    password_hasher = providers.Singleton(Argon2PasswordHasher)
    push_record_keys = config.wechat.record_keys
    push_event_retention = config.push_event_retention
    session_policy = config.session_policy
    apps = config.wechat.apps
    shared_reads = providers.Singleton(SharedReadsUserRepository, users)
    accounts = storage.provided.accounts.call()
    redis = providers.Singleton(redis_client, config.redis_url)
    rate_limiter = providers.Selector(
        config.rate_limiter,
        off=providers.Object(None),
        memory=providers.Singleton(InMemoryRateLimiter, clock),
        redis=providers.Singleton(RedisRateLimiter, redis),
    )
    # The console's failed sign-ins, shared as the rate limits are: Redis when configured.
    failed_attempts = providers.Selector(
        config.shared_counters,
        memory=providers.Singleton(InMemoryFailedAttempts, clock),
        redis=providers.Singleton(RedisFailedAttempts, redis),
    )
    login_code_ledger = providers.Selector(
        config.login_code_ledger,
        database=storage.provided.login_codes,
        redis=providers.Singleton(
            RedisLoginCodeLedger, redis, fallback=storage.provided.login_codes
        ),
    )
    # The ledger is the storage's own: a login's sign-in statement records WeChat's answer.
    ledger_in_storage = providers.Selector(
        config.login_code_ledger, database=providers.Object(True), redis=providers.Object(False)
    )
    wechat_transport = providers.Singleton(new_transport)
    wechat_api = providers.Singleton(
        WeChatApi,
        wechat_transport,
        base_url=config.wechat.api_base,
        total_timeout=config.wechat.timeout,
        connect_timeout=config.wechat.connect_timeout,
    )
    wechat_credentials = providers.Singleton(
        credentials_of,
        config.wechat.secrets,
        api=wechat_api,
        shared=providers.Singleton(shared_cache, redis),
        clock=clock,
    )
    wechat_backend = providers.Selector(
        config.wechat.mode,
        sandbox=providers.Singleton(
            SandboxWeChatGateway, config.wechat.primary, several=config.wechat.several
        ),
        api=providers.Singleton(WeChatServerGateway, api=wechat_api, apps=wechat_credentials),
    )
    wechat = providers.Singleton(MeteredWeChatGateway, inner=wechat_backend, metrics=metrics)
    signing = providers.Singleton(signing_of, storage, configured=config.signing)
    tokens = providers.Singleton(
        PocketBaseTokenIssuer,
        secret=signing.provided.secret,
        collection_id=signing.provided.collection_id,
        ttl_seconds=config.token_ttl,
        clock=clock,
    )

    # Closed by `shutdown_resources()` once opened by `init_resources()` (the app's lifespan,
    # the operators' commands); each is built by then, so nothing is built only to be closed.
    storage_closed = providers.Resource(closed_at_exit, storage.provided.close)
    wechat_closed = providers.Resource(closed_at_exit, wechat_transport.provided.aclose)
    redis_closed = providers.Resource(closed_at_exit, providers.Callable(aclose_of, redis))


class Container(containers.DeclarativeContainer):
    settings = providers.Dependency(instance_of=Settings)
    config = providers.Configuration(strict=True)
    adapters = providers.Container(Adapters, config=config)
    use_cases = providers.Container(UseCases, adapters=adapters)
