"""Create users and check passwords."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

import sqlalchemy as sa
from werkzeug.security import check_password_hash, generate_password_hash

from marketplace.accounts.models import Role, User, UserStatus
from marketplace.accounts.tokens import issue_token, read_token
from marketplace.database import utcnow
from marketplace.errors import Conflict, Forbidden, InvalidInput, NotAuthenticated, NotFound
from marketplace.eventlog.services import Actor, record
from marketplace.extensions import db

EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,189}\.[^@\s.]{2,}$")
PASSWORD_MIN = 8


def normalise_email(email: str) -> str:
    """E-mail addresses compare case-insensitively."""
    return email.strip().lower()


def new_user(
    email: str,
    password: str,
    display_name: str,
    role: Role,
    *,
    company_id: uuid.UUID | None = None,
    locale: str = "en",
) -> User:
    """Validate and add a user to the session (the caller commits)."""
    email = normalise_email(email)
    errors: dict[str, list[str]] = {}
    if not EMAIL.match(email):
        errors["email"] = ["Not a valid e-mail address."]
    if len(password) < PASSWORD_MIN or len(password) > 256:
        errors["password"] = [f"Use {PASSWORD_MIN} to 256 characters."]
    if not display_name.strip() or len(display_name) > 80:
        errors["display_name"] = ["Use 1 to 80 characters."]
    if role in {Role.COMPANY_ADMIN} and company_id is None:
        errors["company"] = ["A company admin belongs to a company."]
    if errors:
        raise InvalidInput("The user is not valid.", errors=errors)
    if db.session.scalar(sa.select(User.id).filter_by(email=email)) is not None:
        raise Conflict("That e-mail address is registered.", errors={"email": ["Already taken."]})
    user = User(
        email=email,
        password_hash=generate_password_hash(password),
        display_name=display_name.strip(),
        role=role,
        company_id=company_id,
        status=UserStatus.ACTIVE,
        locale=locale,
    )
    db.session.add(user)
    db.session.flush()
    return user


def create_user(
    email: str,
    password: str,
    display_name: str,
    role: Role,
    *,
    company_id: uuid.UUID | None = None,
    actor: Actor | None = None,
) -> User:
    """Create a moderator or admin account (experts go through experts.services)."""
    user = new_user(email, password, display_name, role, company_id=company_id)
    record(
        actor or Actor.system("cli"),
        "user.created",
        "user",
        user.id,
        company_id=company_id,
        after={"role": role.value},
    )
    db.session.commit()
    return user


def authenticate(email: str, password: str) -> User | None:
    """The active user with these credentials, or None."""
    user = _with_credentials(email, password)
    return user if user is not None and is_active(user) else None


def _with_credentials(email: str, password: str) -> User | None:
    user = db.session.scalars(sa.select(User).filter_by(email=normalise_email(email))).first()
    if user is None or not check_password_hash(user.password_hash, password):
        return None
    return user


class AccountInactive(Forbidden):
    """Right credentials, but the account is suspended or banned (moderation adds why)."""

    slug = "account-inactive"
    title = "Account not active"

    def __init__(self, user: User) -> None:
        until = user.suspended_until.isoformat() if user.suspended_until else None
        super().__init__(
            f"This account is {user.status.value}"
            + (f" until {until}." if until else ".")
            + " GET /api/v1/expert/sanctions lists why.",
            account_status=user.status.value,
            until=until,
        )
        self.user_id = user.id


@dataclass(frozen=True)
class UserCaller:
    """The person behind an authenticated request or socket."""

    user_id: uuid.UUID
    role: Role
    company_id: uuid.UUID | None

    @property
    def actor(self) -> Actor:
        """The event-log actor for this caller."""
        return Actor.user(self.user_id)


def login(email: str, password: str) -> tuple[User, str]:
    """Check credentials and issue a bearer token; refuses unknown, wrong or inactive users."""
    user = _with_credentials(email, password)
    if user is None:
        raise NotAuthenticated("Wrong e-mail or password.")
    if not is_active(user):
        raise AccountInactive(user)
    return user, issue_token(user.id, user.role)


def caller_from_token(token: str) -> UserCaller | None:
    """The active user a bearer token speaks for, or None (expired, forged, suspended)."""
    claims = read_token(token)
    if claims is None:
        return None
    return caller_for_user(claims.user_id)


def refuse_inactive_token(token: str) -> None:
    """Raise AccountInactive when a genuine token belongs to a suspended or banned account,
    so a locked-out expert hears the same 403 (and why) over REST as on the socket."""
    claims = read_token(token)
    user = db.session.get(User, claims.user_id) if claims else None
    if user is not None and not is_active(user):
        raise AccountInactive(user)


def caller_for_user(user_id: uuid.UUID) -> UserCaller | None:
    """An active user as a caller (also used for logged-in browser sessions)."""
    user = db.session.get(User, user_id)
    if user is None or not is_active(user):
        return None
    return UserCaller(user.id, user.role, user.company_id)


def is_active(user: User) -> bool:
    """Active, or suspended with the suspension already over."""
    if user.status == UserStatus.ACTIVE:
        return True
    return (
        user.status == UserStatus.SUSPENDED
        and user.suspended_until is not None
        and user.suspended_until <= utcnow()
    )


def get_user(user_id: uuid.UUID) -> User:
    """A user by id."""
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound("No such user.")
    return user
