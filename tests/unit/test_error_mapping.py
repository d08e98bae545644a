"""Every domain error has exactly the status SPEC's table gives it."""

import pytest

from bai.domain import errors
from bai.entrypoints.http.errors import status_for

EXPECTED_STATUS = {
    errors.InvalidInput: 400,
    errors.InvalidField: 400,
    errors.PhoneCodeRejected: 400,
    errors.PhoneAlreadyBound: 400,
    errors.RefreshCodeRejected: 400,
    errors.UnknownApp: 400,
    errors.SessionNotFound: 400,
    errors.IdentityRefused: 400,
    errors.ConflictNotFound: 400,
    errors.OperatorExists: 400,
    errors.OperatorNotFound: 400,
    errors.NotAuthenticated: 401,
    errors.InvalidToken: 401,
    errors.AccountDisabled: 401,
    errors.OpenidMissing: 401,
    errors.LoginCodeRejected: 401,
    errors.OperatorSignInRefused: 401,
    errors.UserNotFound: 404,
    errors.TooManyRequests: 429,
    errors.WeChatQuotaExceeded: 429,
    errors.OperatorLocked: 429,
    errors.ServiceFailure: 500,
    errors.WeChatUnavailable: 500,
    errors.WeChatUnreachable: 500,
    errors.WeChatMisconfigured: 500,
    errors.StorageUnavailable: 500,
    errors.StorageNotMigrated: 500,
    errors.IdentifierTaken: 500,
    errors.IdentityTaken: 500,
    errors.UnionidTaken: 500,
}


def all_errors(root: type[errors.BaiError] = errors.BaiError) -> set[type[errors.BaiError]]:
    found = set(root.__subclasses__())
    for child in list(found):
        found |= all_errors(child)
    return found


def make(kind: type[errors.BaiError]) -> errors.BaiError:
    return kind("users_name", "reason") if kind is errors.InvalidField else kind()


def test_every_error_of_the_tree_is_pinned() -> None:
    assert all_errors() == set(EXPECTED_STATUS)


@pytest.mark.parametrize(
    ("kind", "status"), EXPECTED_STATUS.items(), ids=lambda v: getattr(v, "__name__", str(v))
)
def test_error_maps_to_its_status(kind: type[errors.BaiError], status: int) -> None:
    assert status_for(make(kind)) == status


@pytest.mark.parametrize("kind", sorted(EXPECTED_STATUS, key=str), ids=str)
def test_every_error_has_a_message_a_person_can_read(kind: type[errors.BaiError]) -> None:
    message = make(kind).message
    assert message
    assert not message.isascii(), "messages are shown to people in Chinese"
