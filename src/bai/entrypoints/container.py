"""The composition root: providers only."""

from dependency_injector import containers, providers

from bai.adapters.asyncpg.login_code_ledger import AsyncpgLoginCodeLedger
from bai.adapters.asyncpg.pool import LazyPool
from bai.adapters.asyncpg.user_repository import AsyncpgUserRepository
from bai.adapters.memory.login_code_ledger import InMemoryLoginCodeLedger
from bai.adapters.memory.rate_limiter import InMemoryRateLimiter
from bai.adapters.memory.user_repository import InMemoryUserRepository
from bai.adapters.pocketbase.client import PocketBaseClient
from bai.adapters.pocketbase.login_code_ledger import PocketBaseLoginCodeLedger
from bai.adapters.pocketbase.user_repository import PocketBaseUserRepository
from bai.adapters.prometheus.metrics import PrometheusMetrics
from bai.adapters.prometheus.wechat import MeteredWeChatGateway
from bai.adapters.redis.client import redis_client
from bai.adapters.redis.login_code_ledger import RedisLoginCodeLedger
from bai.adapters.redis.rate_limiter import RedisRateLimiter
from bai.adapters.redis.shared_cache import shared_cache
from bai.adapters.shared_reads import SharedReadsUserRepository
from bai.adapters.sqlalchemy.account_import import SqlAlchemyAccountStore
from bai.adapters.sqlalchemy.engine import engine_for
from bai.adapters.sqlalchemy.login_code_ledger import SqlAlchemyLoginCodeLedger
from bai.adapters.sqlalchemy.user_repository import SqlAlchemyUserRepository
from bai.adapters.system.clock import SystemClock
from bai.adapters.system.ids import SecretsIdGenerator
from bai.adapters.tokens.pocketbase_jwt import PocketBaseTokenIssuer
from bai.adapters.wechat.access_token import StableAccessToken
from bai.adapters.wechat.aiohttp_transport import new_transport
from bai.adapters.wechat.api import WeChatApi
from bai.adapters.wechat.sandbox import SandboxWeChatGateway
from bai.adapters.wechat.server_gateway import WeChatServerGateway
from bai.domain.authentication import Authenticator
from bai.domain.code_exchange import LoginCodeExchange
from bai.domain.use_cases.account_actions import DeleteUser, DisableUser, EnableUser, RevokeSessions
from bai.domain.use_cases.check_readiness import CheckReadiness
from bai.domain.use_cases.complete_profile import CompleteProfile
from bai.domain.use_cases.count_users import CountUsers
from bai.domain.use_cases.find_user import FindUser
from bai.domain.use_cases.import_accounts import ImportAccounts
from bai.domain.use_cases.list_users import ListUsers
from bai.domain.use_cases.login_or_register import LoginOrRegister
from bai.domain.use_cases.refresh_token import RefreshToken
from bai.entrypoints.http.presenters import UserPresenter


class Container(containers.DeclarativeContainer):
    config = providers.Configuration(strict=True)

    clock = providers.Singleton(SystemClock)
    metrics = providers.Singleton(PrometheusMetrics)
    ids = providers.Singleton(SecretsIdGenerator)
    engine = providers.Singleton(
        engine_for, url=config.database_url, pool_size=config.database_pool_size
    )
    sql_users = providers.Singleton(SqlAlchemyUserRepository, engine=engine)
    postgres_pool = providers.Singleton(
        LazyPool,
        config.database_url,
        size=config.database_pool_size,
        transaction_pooling=config.transaction_pooling,
    )
    pocketbase = providers.Singleton(PocketBaseClient, config.database_url)
    users = providers.Selector(
        config.storage,
        memory=providers.Singleton(InMemoryUserRepository),
        sqlite=sql_users,
        postgresql=providers.Singleton(AsyncpgUserRepository, postgres_pool),
        pocketbase=providers.Singleton(PocketBaseUserRepository, pocketbase),
    )
    redis = providers.Singleton(redis_client, config.redis_url)
    rate_limiter = providers.Selector(
        config.rate_limiter,
        off=providers.Object(None),
        memory=providers.Singleton(InMemoryRateLimiter, clock),
        redis=providers.Singleton(RedisRateLimiter, redis),
    )
    wechat_transport = providers.Singleton(new_transport)
    wechat_api = providers.Singleton(
        WeChatApi,
        wechat_transport,
        base_url=config.wechat.api_base,
        total_timeout=config.wechat.timeout,
        connect_timeout=config.wechat.connect_timeout,
    )
    access_token = providers.Singleton(
        StableAccessToken,
        api=wechat_api,
        appid=config.wechat.appid,
        secret=config.wechat.secret,
        shared=providers.Singleton(shared_cache, redis),
        clock=clock,
    )
    wechat_backend = providers.Selector(
        config.wechat.mode,
        sandbox=providers.Singleton(SandboxWeChatGateway),
        api=providers.Singleton(
            WeChatServerGateway,
            api=wechat_api,
            access_token=access_token,
            appid=config.wechat.appid,
            secret=config.wechat.secret,
        ),
    )
    wechat = providers.Singleton(MeteredWeChatGateway, inner=wechat_backend, metrics=metrics)
    tokens = providers.Singleton(
        PocketBaseTokenIssuer,
        secret=config.token_secret,
        collection_id=config.collection_id,
        ttl_seconds=config.token_ttl,
        clock=clock,
    )
    authenticator = providers.Singleton(Authenticator, users=users, tokens=tokens)
    database_login_code_ledger = providers.Selector(
        config.storage,
        memory=providers.Singleton(InMemoryLoginCodeLedger, clock=clock),
        sqlite=providers.Singleton(SqlAlchemyLoginCodeLedger, engine),
        postgresql=providers.Singleton(AsyncpgLoginCodeLedger, postgres_pool),
        pocketbase=providers.Singleton(PocketBaseLoginCodeLedger, pocketbase),
    )
    login_code_ledger = providers.Selector(
        config.login_code_ledger,
        database=database_login_code_ledger,
        redis=providers.Singleton(RedisLoginCodeLedger, redis, fallback=database_login_code_ledger),
    )
    login_codes = providers.Singleton(LoginCodeExchange, wechat=wechat, ledger=login_code_ledger)

    login_or_register = providers.Singleton(
        LoginOrRegister, codes=login_codes, users=users, tokens=tokens, ids=ids, clock=clock
    )
    complete_profile = providers.Singleton(
        CompleteProfile, authenticator=authenticator, wechat=wechat, users=users, clock=clock
    )
    refresh_token = providers.Singleton(
        RefreshToken, authenticator=authenticator, codes=login_codes, users=users, tokens=tokens
    )
    shared_reads = providers.Singleton(SharedReadsUserRepository, users)
    count_users = providers.Singleton(CountUsers, users=shared_reads)
    check_readiness = providers.Singleton(CheckReadiness, users=shared_reads)
    disable_user = providers.Singleton(DisableUser, users=users, clock=clock)
    enable_user = providers.Singleton(EnableUser, users=users, clock=clock)
    revoke_sessions = providers.Singleton(RevokeSessions, users=users, ids=ids, clock=clock)
    delete_user = providers.Singleton(DeleteUser, users=users)
    find_user = providers.Singleton(FindUser, users=users)
    list_users = providers.Singleton(ListUsers, users=users)
    present_user = providers.Singleton(UserPresenter)
    import_accounts = providers.Singleton(
        ImportAccounts, store=providers.Singleton(SqlAlchemyAccountStore, engine)
    )
