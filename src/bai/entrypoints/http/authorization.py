"""The token a request carries in its `Authorization` header, with or without `Bearer`."""


def bearer_token(authorization: str | None) -> str | None:
    """The token of `Authorization: Bearer <t>` or of the bare `Authorization: <t>`."""
    if not authorization:
        return None
    scheme, _, credentials = authorization.strip().partition(" ")
    token = credentials.strip() if scheme.lower() == "bearer" else authorization.strip()
    return token or None
