"""The tool's RSA signing keys: made on first run, published as a JWKS, rotated with overlap.

Three states: the *current* key signs; the *next* key is already published so that
platforms caching our JWKS know it before it signs anything; after a rotation the old
current key stays published as *previous* until its overlap ends.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwcrypto.jwk import JWK
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..db import utcnow
from .models import KeyState, ToolKey


@dataclass(frozen=True)
class SigningKey:
    kid: str
    private_pem: str
    public_pem: str


def _new_key(state: KeyState) -> ToolKey:
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    jwk = JWK.from_pem(pem.encode())
    public = json.loads(jwk.export_public())
    public.update({"alg": "RS256", "use": "sig", "kid": jwk.thumbprint()})
    return ToolKey(kid=public["kid"], private_pem=pem, public_jwk=public, state=state)


def ensure_keys(sess: Session) -> None:
    """Make the current and next keys if they are missing (first run)."""
    for state in (KeyState.CURRENT, KeyState.NEXT):
        exists = sess.scalar(select(ToolKey.id).where(ToolKey.state == state).limit(1))
        if exists is None:
            sess.add(_new_key(state))
    try:
        sess.commit()
    except IntegrityError:  # another worker made them at the same moment
        sess.rollback()


def current_key(sess: Session) -> SigningKey:
    """Return the key that signs, making keys first if there are none yet."""
    key = sess.scalar(
        select(ToolKey).where(ToolKey.state == KeyState.CURRENT).order_by(ToolKey.id.desc()).limit(1)
    )
    if key is None:
        ensure_keys(sess)
        return current_key(sess)
    public_pem = JWK(**key.public_jwk).export_to_pem().decode()
    return SigningKey(kid=key.kid, private_pem=key.private_pem, public_pem=public_pem)


def published_keys(sess: Session) -> list[ToolKey]:
    """Return the keys the JWKS endpoint publishes: current, next and unexpired previous."""
    now = utcnow()
    keys = sess.scalars(select(ToolKey).order_by(ToolKey.id)).all()
    return [k for k in keys if k.state != KeyState.PREVIOUS or (k.expires_at and k.expires_at > now)]


def jwks(sess: Session) -> dict:
    return {"keys": [k.public_jwk for k in published_keys(sess)]}


def rotate(sess: Session, overlap_hours: int) -> ToolKey:
    """Promote the next key to current, keep the old current published for the overlap."""
    ensure_keys(sess)
    now = utcnow()
    sess.execute(
        delete(ToolKey).where(ToolKey.state == KeyState.PREVIOUS, ToolKey.expires_at <= now)
    )
    for old in sess.scalars(select(ToolKey).where(ToolKey.state == KeyState.CURRENT)):
        old.state = KeyState.PREVIOUS
        old.expires_at = now + timedelta(hours=overlap_hours)
    promoted = sess.scalar(select(ToolKey).where(ToolKey.state == KeyState.NEXT).order_by(ToolKey.id))
    promoted.state = KeyState.CURRENT
    sess.add(_new_key(KeyState.NEXT))
    sess.commit()
    return promoted
