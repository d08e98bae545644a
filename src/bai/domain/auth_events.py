"""What a request did to an account: the facts the access log carries and the metrics count
(`bai_auth_events_total`'s `event` label). A refusal comes with its reason."""

from enum import StrEnum


class AuthEvent(StrEnum):
    REGISTERED = "registered"
    LOGGED_IN = "logged_in"
    REFRESHED = "refreshed"
    PROFILE_UPDATED = "profile_updated"
    REFUSED = "refused"
