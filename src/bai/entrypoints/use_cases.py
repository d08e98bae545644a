"""The use cases, each built once on the adapters it is given (dependency-injector's
`use-cases` example: `UseCases(adapters=...)`)."""

from dependency_injector import containers, providers

from bai.domain.authentication import Authenticator
from bai.domain.code_exchange import LoginCodeExchange
from bai.domain.identity_matching import IdentityMatching
from bai.domain.session_keeping import SessionKeeping
from bai.domain.use_cases.account_actions import DeleteUser, DisableUser, EnableUser, RevokeSessions
from bai.domain.use_cases.check_readiness import CheckReadiness
from bai.domain.use_cases.complete_profile import CompleteProfile
from bai.domain.use_cases.conflict_actions import (
    DismissConflict,
    LinkConflict,
    ListConflicts,
    MoveIdentity,
)
from bai.domain.use_cases.console_reads import ShowOverview, ShowUserRecord
from bai.domain.use_cases.count_users import CountUsers
from bai.domain.use_cases.find_user import FindUser
from bai.domain.use_cases.identity_actions import (
    LinkIdentity,
    ShowIdentities,
    UnlinkIdentity,
)
from bai.domain.use_cases.import_accounts import ImportAccounts
from bai.domain.use_cases.list_users import ListUsers
from bai.domain.use_cases.login_or_register import LoginOrRegister
from bai.domain.use_cases.operator_accounts import AuditLog, OperatorAccounts, OperatorSignIn
from bai.domain.use_cases.push_events import (
    ApplyPushEvent,
    ForgetPushEvents,
    ListPushEvents,
)
from bai.domain.use_cases.refresh_token import RefreshToken
from bai.domain.use_cases.revocation_list import RevokeFromList
from bai.domain.use_cases.sign_out import (
    EndSession,
    ListSessions,
    Logout,
    LogoutAll,
    ShowSessions,
)


class UseCases(containers.DeclarativeContainer):
    adapters = providers.DependenciesContainer()

    authenticator = providers.Singleton(
        Authenticator,
        users=adapters.users,
        sessions=adapters.sessions,
        tokens=adapters.tokens,
        policy=adapters.session_policy,
        clock=adapters.clock,
    )
    keeping = providers.Singleton(
        SessionKeeping,
        sessions=adapters.sessions,
        tokens=adapters.tokens,
        ids=adapters.ids,
        policy=adapters.session_policy,
        clock=adapters.clock,
    )
    login_codes = providers.Singleton(
        LoginCodeExchange, wechat=adapters.wechat, ledger=adapters.login_code_ledger
    )

    identity_matching = providers.Singleton(
        IdentityMatching,
        identities=adapters.identities,
        users=adapters.users,
        apps=adapters.apps,
        ids=adapters.ids,
        clock=adapters.clock,
    )

    login_or_register = providers.Singleton(
        LoginOrRegister,
        apps=adapters.apps,
        codes=login_codes,
        matching=identity_matching,
        authenticator=authenticator,
        keeping=keeping,
        answer_with_sign_in=adapters.ledger_in_storage,
    )
    complete_profile = providers.Singleton(
        CompleteProfile,
        apps=adapters.apps,
        authenticator=authenticator,
        wechat=adapters.wechat,
        users=adapters.users,
        identities=adapters.identities,
        clock=adapters.clock,
    )
    refresh_token = providers.Singleton(
        RefreshToken,
        apps=adapters.apps,
        authenticator=authenticator,
        codes=login_codes,
        matching=identity_matching,
        keeping=keeping,
        tokens=adapters.tokens,
    )
    count_users = providers.Singleton(CountUsers, users=adapters.shared_reads)
    check_readiness = providers.Singleton(CheckReadiness, users=adapters.shared_reads)
    disable_user = providers.Singleton(
        DisableUser, users=adapters.users, sessions=adapters.sessions, clock=adapters.clock
    )
    enable_user = providers.Singleton(EnableUser, users=adapters.users, clock=adapters.clock)
    revoke_sessions = providers.Singleton(
        RevokeSessions,
        users=adapters.users,
        sessions=adapters.sessions,
        ids=adapters.ids,
        clock=adapters.clock,
    )
    apply_push_event = providers.Singleton(
        ApplyPushEvent,
        events=adapters.push_events,
        users=adapters.users,
        identities=adapters.identities,
        sessions=adapters.sessions,
        apps=adapters.apps,
        clock=adapters.clock,
        record_keys=adapters.push_record_keys,
    )
    forget_push_events = providers.Singleton(
        ForgetPushEvents,
        events=adapters.push_events,
        clock=adapters.clock,
        retention=adapters.push_event_retention,
    )
    revoke_from_list = providers.Singleton(
        RevokeFromList,
        apply=apply_push_event,
        users=adapters.users,
        identities=adapters.identities,
        apps=adapters.apps,
        clock=adapters.clock,
    )
    list_push_events = providers.Singleton(ListPushEvents, events=adapters.push_events)
    audit_log = providers.Singleton(
        AuditLog, trail=adapters.audit, ids=adapters.ids, clock=adapters.clock
    )
    operator_accounts = providers.Singleton(
        OperatorAccounts,
        operators=adapters.operators,
        hasher=adapters.password_hasher,
        audit=audit_log,
        ids=adapters.ids,
        clock=adapters.clock,
    )
    operator_sign_in = providers.Singleton(
        OperatorSignIn,
        operators=adapters.operators,
        hasher=adapters.password_hasher,
        attempts=adapters.failed_attempts,
        audit=audit_log,
        clock=adapters.clock,
    )
    logout = providers.Singleton(
        Logout, authenticator=authenticator, keeping=keeping, revoke=revoke_sessions
    )
    logout_all = providers.Singleton(LogoutAll, authenticator=authenticator, revoke=revoke_sessions)
    list_sessions = providers.Singleton(ListSessions, authenticator=authenticator, keeping=keeping)
    show_sessions = providers.Singleton(
        ShowSessions,
        users=adapters.users,
        sessions=adapters.sessions,
        policy=adapters.session_policy,
        clock=adapters.clock,
    )
    end_session = providers.Singleton(EndSession, sessions=adapters.sessions, clock=adapters.clock)
    delete_user = providers.Singleton(DeleteUser, users=adapters.users)
    find_user = providers.Singleton(FindUser, users=adapters.users)
    list_users = providers.Singleton(ListUsers, users=adapters.users)
    import_accounts = providers.Singleton(ImportAccounts, store=adapters.accounts)
    show_identities = providers.Singleton(
        ShowIdentities, users=adapters.users, identities=adapters.identities
    )
    list_conflicts = providers.Singleton(ListConflicts, identities=adapters.identities)
    link_identity = providers.Singleton(
        LinkIdentity,
        users=adapters.users,
        identities=adapters.identities,
        apps=adapters.apps,
        clock=adapters.clock,
    )
    unlink_identity = providers.Singleton(
        UnlinkIdentity, identities=adapters.identities, apps=adapters.apps
    )
    dismiss_conflict = providers.Singleton(DismissConflict, identities=adapters.identities)
    move_identity = providers.Singleton(
        MoveIdentity,
        identities=adapters.identities,
        unlink=unlink_identity,
        link=link_identity,
    )
    link_conflict = providers.Singleton(
        LinkConflict, identities=adapters.identities, move=move_identity
    )
    show_overview = providers.Singleton(
        ShowOverview,
        users=adapters.users,
        sessions=adapters.sessions,
        identities=adapters.identities,
        events=adapters.push_events,
        clock=adapters.clock,
    )
    show_user_record = providers.Singleton(
        ShowUserRecord,
        users=adapters.users,
        identities=adapters.identities,
        sessions=adapters.sessions,
        events=adapters.push_events,
        policy=adapters.session_policy,
        clock=adapters.clock,
    )
