"""The tool admin's sign-in: one password set from the command line, sessions, CSRF, rate limits."""

from __future__ import annotations

import functools
import hmac
import secrets
from datetime import timedelta

from flask import abort, redirect, request, session, url_for
from flask_babel import gettext as _
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from .. import db
from ..db import utcnow
from ..store import store
from .models import AdminAccount

MIN_PASSWORD_LENGTH = 12
#: Failed sign-ins allowed from one address before it must wait.
MAX_FAILURES = 5
LOCKOUT_SECONDS = 15 * 60
ACCOUNT_ID = 1


class PasswordTooShort(ValueError):
    pass


def set_password(sess: Session, password: str) -> None:
    """Store a new admin password as a salted hash; every open admin session ends."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise PasswordTooShort(f"Use at least {MIN_PASSWORD_LENGTH} characters.")
    account = sess.get(AdminAccount, ACCOUNT_ID)
    if account is None:
        account = AdminAccount(id=ACCOUNT_ID, password_hash="")
        sess.add(account)
    account.password_hash = generate_password_hash(password)
    account.updated_at = utcnow()
    sess.commit()


def account() -> AdminAccount | None:
    return db.session().get(AdminAccount, ACCOUNT_ID)


def _failures_key() -> str:
    return f"admin-login-failures:{request.remote_addr or 'unknown'}"


def locked_out() -> bool:
    return (store().get(_failures_key()) or 0) >= MAX_FAILURES


def sign_in(password: str) -> bool:
    """Check the password; on success start a session, on failure count it against the address."""
    found = account()
    if found is not None and check_password_hash(found.password_hash, password):
        store().delete(_failures_key())
        session.clear()
        session.permanent = True
        session["admin"] = found.updated_at.isoformat()
        session["csrf"] = secrets.token_urlsafe(32)
        return True
    store().set(_failures_key(), (store().get(_failures_key()) or 0) + 1, LOCKOUT_SECONDS)
    return False


def signed_in() -> bool:
    found = account()
    return found is not None and session.get("admin") == found.updated_at.isoformat()


def csrf_token() -> str:
    return session.get("csrf", "")


def admin_required(view):
    """Send anyone not signed in to the sign-in page; check the CSRF token on every POST."""

    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        if not signed_in():
            session.clear()
            return redirect(url_for("admin.login", next=request.path))
        if request.method == "POST" and not hmac.compare_digest(request.form.get("csrf", ""), csrf_token()):
            abort(400, _("The form was out of date. Reload the page and try again."))
        return view(*args, **kwargs)

    return wrapped


def init_app(app) -> None:
    base = app.config.get("BASE_URL", "")
    app.config.update(
        SESSION_COOKIE_NAME="milclicks_admin",
        # Admin pages are opened directly, never inside an LMS, so the cookie stays first-party.
        SESSION_COOKIE_SECURE=base.startswith("https://"),
        PERMANENT_SESSION_LIFETIME=timedelta(hours=app.config["ADMIN_SESSION_HOURS"]),
    )
