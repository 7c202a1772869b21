"""Sign-in accounts. Custom from the first migration; people sign in with an e-mail address."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import Any, ClassVar

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone

from peerdiag.common.models import new_code


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        if not email:
            raise ValueError("An e-mail address is needed")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)

    def get_by_natural_key(self, username: str | None) -> User:
        return self.get(email__iexact=username or "")


class User(AbstractBaseUser, PermissionsMixin):
    """A login. `is_staff` marks an LGA administrator (sees everything, uses Django admin)."""

    email = models.EmailField("e-mail address", unique=True)
    full_name = models.CharField(max_length=200, blank=True)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(
        "LGA administrator", default=False, help_text="Sees every diagnostic and the admin site."
    )
    date_joined = models.DateTimeField(default=timezone.now)

    objects: ClassVar[UserManager] = UserManager()  # type: ignore[assignment]

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        ordering = ["email"]

    def __str__(self) -> str:
        return self.full_name or self.email

    def get_full_name(self) -> str:
        return self.full_name or self.email

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email


def _hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def active(self, now: datetime | None = None) -> ApiTokenQuerySet:
        """Tokens that work: not revoked, not expired, and their user not switched off."""
        return self.filter(
            revoked_at__isnull=True, user__is_active=True, expires_at__gt=now or timezone.now()
        )


class ApiToken(models.Model):
    """A bearer token for the API. Only its hash is stored; the token is shown once.

    Every token expires, and its scope limits what it may do (see accounts/domain/tokens.py).
    """

    class Scope(models.TextChoices):
        # In increasing power: each scope allows everything the ones before it do.
        READ = "read", "Read only"
        WRITE = "write", "Read and change"
        SENSITIVE = "sensitive", "Read, change and download sensitive files"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    # The token's public code, for the pages' URLs (the prefix is part of the secret itself).
    code = models.CharField(max_length=16, unique=True, default=new_code, editable=False)
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=8)
    key_hash = models.CharField(max_length=64, unique=True)
    scope = models.CharField(max_length=16, choices=Scope.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @classmethod
    def issue(
        cls,
        user: User,
        name: str,
        *,
        scope: str = Scope.WRITE,
        lifetime: timedelta = timedelta(days=90),
        now: datetime | None = None,
    ) -> tuple[ApiToken, str]:
        """Store a new token and return it with the raw value. No checks: callers outside tests
        go through accounts/domain/tokens.py::issue_token, which has them."""
        raw = "pd_" + secrets.token_urlsafe(32)
        token = cls.objects.create(
            user=user,
            name=name,
            prefix=raw[3:11],
            key_hash=_hash_token(raw),
            scope=scope,
            expires_at=(now or timezone.now()) + lifetime,
        )
        return token, raw

    def is_expired(self, now: datetime | None = None) -> bool:
        return self.expires_at <= (now or timezone.now())

    def state(self, now: datetime | None = None) -> str:
        """One of active, revoked or expired; a revoked token reads as revoked even once expired."""
        if self.revoked_at is not None:
            return "revoked"
        return "expired" if self.is_expired(now) else "active"

    def allows(self, scope: str) -> bool:
        """Whether this token's scope covers `scope` (read < write < sensitive)."""
        order = list(self.Scope.values)
        return order.index(self.scope) >= order.index(scope)

    @classmethod
    def user_for(cls, raw: str) -> User | None:
        token = (
            cls.objects.active().select_related("user").filter(key_hash=_hash_token(raw)).first()
        )
        if token is None:
            return None
        cls.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
        return token.user


class SignInThrottle(models.Model):
    """Failed sign-ins counted for one e-mail address, one IP address, or one e-mail address from
    one IP address (see domain/throttle.py).

    The key is a hash, so the table holds no address typed by someone who has no account.
    Kept in the database rather than the cache so every web process sees the same counts.
    """

    key = models.CharField(max_length=80, unique=True)
    failures = models.PositiveIntegerField(default=0)
    window_started_at = models.DateTimeField()
    last_failed_at = models.DateTimeField(null=True, blank=True)
    # No attempt is checked before this: an IP's lock-out, or an address's growing delay.
    wait_until = models.DateTimeField(null=True, blank=True)
    # When the account's owner was told of the failures counted in this window.
    warned_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.failures} failed sign-ins ({self.key[:12]}…)"


# Two-factor sign-in --------------------------------------------------------------------------


class TotpDevice(models.Model):
    """A person's authenticator app (RFC 6238 time-based codes). At most one per login.

    The secret has to be kept readable: the server recomputes each code from it. A device counts
    only once `confirmed_at` is set, i.e. after the person has typed a code it produced.
    """

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="totp_device")
    secret = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    # The 30-second time step of the last code accepted; a code at or before it is refused, so
    # a code seen over someone's shoulder cannot be used a second time.
    last_used_step = models.BigIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = "authenticator app"

    def __str__(self) -> str:
        state = "confirmed" if self.confirmed_at else "not confirmed"
        return f"Authenticator app for {self.user} ({state})"

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed_at is not None


def normalise_recovery_code(raw: str) -> str:
    """Recovery codes are read off paper: ignore case, spaces and hyphens."""
    return "".join(ch for ch in raw.lower() if ch not in " -\t")


class RecoveryCode(models.Model):
    """A single-use code for signing in without the authenticator app. Only its hash is kept."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="recovery_codes")
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "code_hash"], name="recovery_code_unique")
        ]

    def __str__(self) -> str:
        return f"Recovery code for {self.user} ({'used' if self.used_at else 'unused'})"

    @staticmethod
    def hash_code(raw: str) -> str:
        return _hash_token(normalise_recovery_code(raw))


class Passkey(models.Model):
    """A passkey (WebAuthn credential): a second factor that phishing sites cannot replay.

    The browser signs each sign-in's challenge together with the site's own address, so a look-
    alike site gets nothing it can use here. Only the public key is kept. A person may have
    several (a laptop, a phone, a security key), and any one counts as a second factor.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="passkeys")
    # The passkey's public code, for the pages' URLs.
    code = models.CharField(max_length=16, unique=True, default=new_code, editable=False)
    name = models.CharField(max_length=60)
    # The authenticator's id for the credential, base64url-encoded (at most 1,023 bytes).
    credential_id = models.CharField(max_length=1400, unique=True)
    public_key = models.BinaryField()
    # The authenticator's signature counter; a count that does not move forward is refused
    # (a cloned authenticator), except for authenticators that always report 0.
    sign_count = models.PositiveBigIntegerField(default=0)
    # How the browser can reach it (usb, nfc, internal...), handed back when asking for it.
    transports = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"Passkey {self.name!r} for {self.user}"


# Invitations ---------------------------------------------------------------------------------


class InvitationQuerySet(models.QuerySet["Invitation"]):
    def for_token(self, raw: str) -> Invitation | None:
        return self.select_related("user").filter(token_hash=_hash_token(raw)).first()

    def open(self, now: datetime | None = None) -> InvitationQuerySet:
        return self.filter(
            used_at__isnull=True, voided_at__isnull=True, expires_at__gt=now or timezone.now()
        )


class Invitation(models.Model):
    """A single-use link that lets a person choose the password for a login made for them.

    Only the hash of the link's token is stored; the token itself travels in the e-mail alone.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="invitations")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    # Set when a newer invitation replaces this one before it was used.
    voided_at = models.DateTimeField(null=True, blank=True)
    invited_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="invitations_sent"
    )

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Invitation for {self.user} ({self.state()})"

    @staticmethod
    def hash_token(raw: str) -> str:
        return _hash_token(raw)

    def state(self, now: datetime | None = None) -> str:
        """One of open, used, replaced or expired; a used link reads as used even once expired."""
        if self.used_at is not None:
            return "used"
        if self.voided_at is not None:
            return "replaced"
        if self.expires_at <= (now or timezone.now()):
            return "expired"
        return "open"
