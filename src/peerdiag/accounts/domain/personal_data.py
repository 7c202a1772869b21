"""What the accounts app's fields hold (see peerdiag.common.personal_data)."""

from peerdiag.common.personal_data import CODE, ERASED, Policy, kept, not_personal

FIELDS: dict[str, dict[str, Policy]] = {
    "User": {"email": ERASED, "full_name": ERASED, "password": ERASED},
    # Deleted with the account they belong to (erase_person deletes them outright).
    "ApiToken": {
        "code": CODE,
        "name": ERASED,
        "prefix": ERASED,
        "key_hash": ERASED,
        "scope": not_personal("what the token may do: read, write or sensitive"),
    },
    "TotpDevice": {"secret": ERASED},
    "RecoveryCode": {"code_hash": ERASED},
    "Passkey": {
        "code": CODE,
        "name": ERASED,
        "credential_id": ERASED,
        "public_key": ERASED,
        "transports": ERASED,
    },
    "Invitation": {"token_hash": ERASED},
    "SignInThrottle": {
        "key": kept(
            "a hash of an e-mail address, an IP address or both, that failed to sign in; only "
            "the hash is kept, and the count lapses when its window passes "
            "(accounts/domain/throttle.py)"
        )
    },
}
