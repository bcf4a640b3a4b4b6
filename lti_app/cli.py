"""The ``milclicks`` command: serve, migrate, and manage platforms, deployments and keys."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from . import db
from .lti import keys as tool_keys
from .lti.models import Deployment, DeploymentStatus, KeyState, Platform, ToolKey
from .grades import outbox
from .grades.models import DeliveryStatus, ScoreDelivery
from .grades.outbox import BackgroundDelivery


def upgrade(database_url: str) -> None:
    """Bring the schema up to date; Alembic is imported only by the commands that migrate."""
    from .migrate import upgrade as run

    run(database_url)


def _platform(platform_id: int) -> Platform:
    platform = db.session().get(Platform, platform_id)
    if platform is None:
        raise click.ClickException(f"No platform with id {platform_id}; 'milclicks platform list' shows them.")
    return platform


def _commit(what: str) -> None:
    try:
        db.session().commit()
    except IntegrityError as exc:
        db.session().rollback()
        raise click.ClickException(f"{what} already exists.") from exc


# --------------------------------------------------------------------------- serve and db


@click.command("serve")
@click.option("--bind", default=lambda: os.environ.get("MILCLICKS_BIND", "127.0.0.1:8000"), show_default="127.0.0.1:8000",
              help="Address and port to listen on (MILCLICKS_BIND).")
@click.option("--workers", type=int, default=lambda: int(os.environ.get("MILCLICKS_WORKERS", "2")), show_default="2",
              help="Worker processes (MILCLICKS_WORKERS).")
@click.option("--threads", type=int, default=lambda: int(os.environ.get("MILCLICKS_THREADS", "4")), show_default="4",
              help="Threads per worker (MILCLICKS_THREADS).")
@with_appcontext
def serve_command(bind: str, workers: int, threads: int) -> None:
    """Migrate the database, make keys on first run, and serve the tool with gunicorn."""
    from gunicorn.app.base import BaseApplication

    app = current_app._get_current_object()

    # Migrating loads Alembic and Mako; done in a process of its own, they never reach the
    # server, whose workers are forked from this one.
    migrated = subprocess.run([sys.executable, "-m", "lti_app", "db", "upgrade"], env=os.environ.copy())
    if migrated.returncode != 0:
        raise click.ClickException("the database could not be brought up to date (see above)")
    tool_keys.ensure_keys(db.session())
    db.session().close()
    if app.config["GRADE_BACKGROUND"]:
        BackgroundDelivery(app).start()
    click.echo(f"MIL CLICKS is listening on http://{bind}/ (the front page lists the URLs to register in an LMS)")

    class Server(BaseApplication):
        def load_config(self) -> None:
            self.cfg.set("bind", [bind])
            self.cfg.set("workers", workers)
            self.cfg.set("threads", threads)
            self.cfg.set("worker_class", "gthread")
            self.cfg.set("timeout", 60)
            self.cfg.set("graceful_timeout", 20)
            self.cfg.set("accesslog", None)
            self.cfg.set("forwarded_allow_ips", "*" if app.config["PROXY_HOPS"] else "127.0.0.1")
            self.cfg.set("post_fork", _own_connections)

        def load(self) -> Flask:
            # The application this command built, shared with every worker by the fork:
            # one copy of its code and content in memory instead of one per process.
            return app

    def _own_connections(_server, _worker) -> None:
        # A worker must not use the database connections it inherited from this process
        # (the grade delivery thread may be using them): it opens its own.
        app.extensions["db_engine"].dispose(close=False)

    Server().run()


@click.group("db")
def db_group() -> None:
    """Database schema."""


@db_group.command("upgrade")
@with_appcontext
def db_upgrade() -> None:
    """Bring the database schema up to date."""
    upgrade(current_app.config["DATABASE_URL"])
    click.echo("Database is up to date.")


# --------------------------------------------------------------------------- platforms


@click.group("platform")
def platform_group() -> None:
    """LMS registrations: an issuer and the client id it gave the tool."""


@platform_group.command("add")
@click.option("--name", default="", help="A name you will recognise, e.g. 'Lakeside Moodle'.")
@click.option("--issuer", required=True, help="The platform's issuer (Moodle: the site URL; Canvas: https://canvas.instructure.com).")
@click.option("--client-id", required=True, help="The client id the LMS gave the tool.")
@click.option("--auth-login-url", required=True, help="The platform's OIDC authentication URL.")
@click.option("--auth-token-url", default="", help="The platform's access token URL (for grades and rosters).")
@click.option("--key-set-url", default="", help="The platform's public keyset URL.")
@click.option("--auth-audience", default="", help="Audience for token requests, if not the token URL.")
@click.option("--deployment", "deployments", multiple=True, help="A deployment id to accept; repeat for several.")
@with_appcontext
def platform_add(name, issuer, client_id, auth_login_url, auth_token_url, key_set_url, auth_audience, deployments) -> None:
    """Register a platform."""
    if not key_set_url:
        raise click.ClickException("--key-set-url is needed so the tool can check the platform's signatures.")
    for label, url in (("--auth-login-url", auth_login_url), ("--key-set-url", key_set_url), ("--auth-token-url", auth_token_url)):
        if url and not url.startswith(("https://", "http://")):
            raise click.ClickException(f"{label} must be an http(s) URL, not {url!r}.")
    platform = Platform(
        name=name, issuer=issuer, client_id=client_id, auth_login_url=auth_login_url,
        auth_token_url=auth_token_url, key_set_url=key_set_url, auth_audience=auth_audience,
        deployments=[Deployment(deployment_id=d) for d in deployments],
    )
    db.session().add(platform)
    _commit(f"A platform with issuer {issuer} and client id {client_id}")
    click.echo(f"Added platform {platform.id}: {issuer} (client id {client_id})")


@platform_group.command("list")
@with_appcontext
def platform_list() -> None:
    """List registered platforms."""
    rows = db.session().scalars(select(Platform).order_by(Platform.id)).all()
    if not rows:
        click.echo("No platforms yet. Add one with 'milclicks platform add' or dynamic registration.")
        return
    for p in rows:
        state = "enabled" if p.enabled else "disabled"
        click.echo(f"{p.id}\t{p.name or '-'}\t{p.issuer}\t{p.client_id}\t{len(p.deployments)} deployment(s)\t{state}")


@platform_group.command("show")
@click.argument("platform_id", type=int)
@with_appcontext
def platform_show(platform_id: int) -> None:
    """Show one platform with its deployments, as JSON."""
    click.echo(json.dumps(_platform(platform_id).to_dict(), indent=2))


@platform_group.command("remove")
@click.argument("platform_id", type=int)
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@with_appcontext
def platform_remove(platform_id: int, yes: bool) -> None:
    """Remove a platform and its deployments."""
    platform = _platform(platform_id)
    if not yes:
        click.confirm(f"Remove {platform.issuer} (client id {platform.client_id}) and its deployments?", abort=True)
    db.session().delete(platform)
    db.session().commit()
    click.echo(f"Removed platform {platform_id}.")


@platform_group.command("export")
@click.argument("output", type=click.File("w"), default="-")
@with_appcontext
def platform_export(output) -> None:
    """Write every platform and deployment as JSON (to a file or standard output)."""
    rows = db.session().scalars(select(Platform).order_by(Platform.id)).all()
    json.dump({"platforms": [p.to_dict() for p in rows]}, output, indent=2)
    output.write("\n")


PLATFORM_FIELDS = ("name", "issuer", "client_id", "auth_login_url", "auth_token_url", "auth_audience", "key_set_url")


def import_platforms(data: Any) -> tuple[int, int]:
    """Add or update platforms from exported JSON; return (added, updated)."""
    if not isinstance(data, dict) or not isinstance(data.get("platforms"), list):
        raise ValueError("expected an object with a 'platforms' list, as written by 'milclicks platform export'")
    sess = db.session()
    added = updated = 0
    for index, item in enumerate(data["platforms"]):
        where = f"platforms[{index}]"
        if not isinstance(item, dict):
            raise ValueError(f"{where}: must be an object")
        for required in ("issuer", "client_id", "auth_login_url"):
            if not isinstance(item.get(required), str) or not item[required]:
                raise ValueError(f"{where}: '{required}' is required")
        if not item.get("key_set_url") and not item.get("key_set"):
            raise ValueError(f"{where}: 'key_set_url' or 'key_set' is required")
        platform = sess.scalar(select(Platform).where(Platform.issuer == item["issuer"], Platform.client_id == item["client_id"]))
        if platform is None:
            platform = Platform(issuer=item["issuer"], client_id=item["client_id"])
            sess.add(platform)
            added += 1
        else:
            updated += 1
        for field in PLATFORM_FIELDS:
            if field in item:
                setattr(platform, field, item[field] or "")
        platform.key_set = item.get("key_set")
        platform.enabled = bool(item.get("enabled", True))
        known = {d.deployment_id for d in platform.deployments}
        for dep_index, dep in enumerate(item.get("deployments", [])):
            if not isinstance(dep, dict) or not dep.get("deployment_id"):
                raise ValueError(f"{where}.deployments[{dep_index}]: 'deployment_id' is required")
            try:
                status = DeploymentStatus(dep.get("status", "active"))
            except ValueError as exc:
                raise ValueError(f"{where}.deployments[{dep_index}]: status must be active, pending or disabled") from exc
            if dep["deployment_id"] not in known:
                platform.deployments.append(Deployment(deployment_id=dep["deployment_id"], status=status))
                known.add(dep["deployment_id"])
    sess.commit()
    return added, updated


@platform_group.command("import")
@click.argument("source", type=click.File("r"))
@with_appcontext
def platform_import(source) -> None:
    """Add or update platforms from a JSON file written by 'platform export'."""
    try:
        data = json.load(source)
    except json.JSONDecodeError as exc:
        raise click.ClickException(f"{source.name}: not valid JSON (line {exc.lineno}, column {exc.colno}): {exc.msg}") from exc
    try:
        added, updated = import_platforms(data)
    except ValueError as exc:
        db.session().rollback()
        raise click.ClickException(f"{source.name}: {exc}. Nothing was imported.") from exc
    click.echo(f"Imported: {added} added, {updated} updated.")


# --------------------------------------------------------------------------- deployments


@click.group("deployment")
def deployment_group() -> None:
    """Deployments: each install of the tool inside a platform."""


@deployment_group.command("add")
@click.argument("platform_id", type=int)
@click.argument("deployment_id")
@with_appcontext
def deployment_add(platform_id: int, deployment_id: str) -> None:
    """Accept launches from DEPLOYMENT_ID of platform PLATFORM_ID."""
    platform = _platform(platform_id)
    platform.deployments.append(Deployment(deployment_id=deployment_id))
    _commit(f"Deployment {deployment_id} of platform {platform_id}")
    click.echo(f"Added deployment {deployment_id} to platform {platform_id}.")


@deployment_group.command("remove")
@click.argument("platform_id", type=int)
@click.argument("deployment_id")
@with_appcontext
def deployment_remove(platform_id: int, deployment_id: str) -> None:
    """Stop accepting launches from a deployment."""
    platform = _platform(platform_id)
    row = next((d for d in platform.deployments if d.deployment_id == deployment_id), None)
    if row is None:
        raise click.ClickException(f"Platform {platform_id} has no deployment {deployment_id}.")
    db.session().delete(row)
    db.session().commit()
    click.echo(f"Removed deployment {deployment_id} from platform {platform_id}.")


# --------------------------------------------------------------------------- keys


@click.group("keys")
def keys_group() -> None:
    """The tool's signing keys."""


@keys_group.command("list")
@with_appcontext
def keys_list() -> None:
    """List the tool's keys and their state."""
    sess = db.session()
    tool_keys.ensure_keys(sess)
    published = {k.kid for k in tool_keys.published_keys(sess)}
    for key in sess.scalars(select(ToolKey).order_by(ToolKey.id)):
        expiry = f"until {key.expires_at:%Y-%m-%d %H:%M} UTC" if key.state == KeyState.PREVIOUS and key.expires_at else ""
        shown = "published" if key.kid in published else "expired"
        click.echo(f"{key.kid}\t{key.state.value}\t{shown}\t{expiry}".rstrip())


@keys_group.command("rotate")
@click.option("--overlap-hours", type=int, default=None,
              help="How long the old key stays published (default MILCLICKS_KEY_OVERLAP_HOURS).")
@with_appcontext
def keys_rotate(overlap_hours: int | None) -> None:
    """Start signing with the next key; keep the old one published for the overlap."""
    hours = current_app.config["KEY_OVERLAP_HOURS"] if overlap_hours is None else overlap_hours
    if hours < 0:
        raise click.ClickException("--overlap-hours cannot be negative.")
    promoted = tool_keys.rotate(db.session(), hours)
    click.echo(f"Now signing with {promoted.kid}; the previous key stays published for {hours} hours.")


# --------------------------------------------------------------------------- grades


@click.group("grades")
def grades_group() -> None:
    """The outbox of scores on their way to LMS gradebooks."""


@grades_group.command("deliver")
@click.option("--loop", is_flag=True, help="Keep delivering until stopped (a worker process).")
@with_appcontext
def grades_deliver(loop: bool) -> None:
    """Deliver every score that is due."""
    import time

    interval = current_app.config["GRADE_WORKER_INTERVAL_SECONDS"]
    while True:
        counts = outbox.deliver_due(db.session())
        if counts or not loop:
            summary = ", ".join(f"{n} {status}" for status, n in sorted(counts.items())) or "nothing due"
            click.echo(f"Grade delivery: {summary}.")
        if not loop:
            return
        time.sleep(interval)


@grades_group.command("list")
@click.option("--status", type=click.Choice([s.value for s in DeliveryStatus]), help="Only scores in this state.")
@click.option("--limit", type=int, default=50, show_default=True)
@with_appcontext
def grades_list(status: str | None, limit: int) -> None:
    """List recent scores with their delivery state."""
    query = select(ScoreDelivery).order_by(ScoreDelivery.id.desc()).limit(limit)
    if status:
        query = query.where(ScoreDelivery.status == DeliveryStatus(status))
    rows = db.session().scalars(query).all()
    if not rows:
        click.echo("No scores.")
    for row in rows:
        score = "pending marking" if row.score_given is None else f"{row.score_given:g}/{row.score_maximum:g}"
        error = f"\t{row.last_error}" if row.last_error and row.status != DeliveryStatus.DELIVERED else ""
        click.echo(f"{row.id}\t{row.status.value}\t{score}\ttries={row.tries}\tplatform={row.platform_id}{error}")


@grades_group.command("resend")
@click.argument("delivery_id", type=int)
@with_appcontext
def grades_resend(delivery_id: int) -> None:
    """Queue a failed score again."""
    if not outbox.resend(db.session(), delivery_id):
        raise click.ClickException(
            f"Score {delivery_id} is not a failed score, or a newer score for that student replaced it."
        )
    click.echo(f"Score {delivery_id} is queued again.")


# --------------------------------------------------------------------------- modules


@click.group("modules")
def modules_group() -> None:
    """MIL CLICKS modules (the content)."""


@modules_group.command("check")
@click.argument("folder", required=False, type=click.Path(file_okay=False))
@click.option("--guides", type=click.Path(file_okay=False), help="Folder of teacher guides (default MILCLICKS_GUIDES_DIR).")
@with_appcontext
def modules_check(folder: str | None, guides: str | None) -> None:
    """Check every module in FOLDER (default MILCLICKS_MODULES_DIR) and the teacher guides; exit 1 on any problem."""
    from .content.check import check_modules

    ok, lines = check_modules(folder or current_app.config["MODULES_DIR"], guides or current_app.config["GUIDES_DIR"])
    for line in lines:
        click.echo(line)
    if not ok:
        sys.exit(1)


@modules_group.command("extract")
@click.argument("folder", required=False, type=click.Path(file_okay=False))
@with_appcontext
def modules_extract(folder: str | None) -> None:
    """Create or refresh every module's and the Pact's PO catalogs, one per language (docs/translating.md)."""
    from .content import load_catalogue
    from .content.schema import translatable_strings
    from .content.translate import TRANSLATED_LOCALES, module_po, pact_po, update_po
    from .pact.content import load_pact

    modules_dir = Path(folder or current_app.config["MODULES_DIR"])
    loaded = load_catalogue(modules_dir)
    for error in loaded.errors:
        click.echo(f"skipped: {error}", err=True)
    items = [(m.id, translatable_strings(m), lambda locale, m=m: module_po(m.folder, locale)) for m in loaded.modules]
    pact, _errors = load_pact(modules_dir)
    if pact is not None:
        items.append(("pact", translatable_strings(pact), lambda locale: pact_po(modules_dir, locale)))
    for name, strings, po in items:
        for locale in TRANSLATED_LOCALES:
            update_po(po(locale), strings, locale, f"MIL CLICKS module {name}")
        click.echo(f"{name}: {len(strings)} strings, catalogs for {', '.join(TRANSLATED_LOCALES)}")
    if loaded.errors:
        sys.exit(1)


# --------------------------------------------------------------------------- admin


@click.group("admin")
def admin_group() -> None:
    """The tool admin's sign-in and registration links."""


@admin_group.command("set-password")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True,
              envvar="MILCLICKS_ADMIN_PASSWORD", help="The new password (asked for when not given).")
@with_appcontext
def admin_set_password(password: str) -> None:
    """Set the admin area's password (stored as a salted hash); signed-in admins are signed out."""
    from .admin.auth import PasswordTooShort, set_password

    try:
        set_password(db.session(), password)
    except PasswordTooShort as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo("The admin password is set. Sign in at /admin/.")


@admin_group.command("registration-link")
@click.option("--label", default="", help="Which LMS it is for, as shown in the admin area.")
@click.option("--hours", type=int, default=None, help="How long it works (default MILCLICKS_REGISTRATION_LINK_HOURS).")
@with_appcontext
def admin_registration_link(label: str, hours: int | None) -> None:
    """Make a one-time dynamic-registration link to paste into an LMS."""
    from .admin.registration import new_link

    with current_app.test_request_context():
        _link, url = new_link(db.session(), label, hours or current_app.config["REGISTRATION_LINK_HOURS"])
    click.echo(url)


# --------------------------------------------------------------------------- translations


@click.group("translations")
def translations_group() -> None:
    """Interface and content catalogs (docs/translating.md)."""


@translations_group.command("update")
@with_appcontext
def translations_update() -> None:
    """Extract the interface strings, refresh every language's catalog and derive Serbian Latin."""
    from babel.messages.frontend import CommandLineInterface

    from .content.translate import TRANSLATED_LOCALES
    from .i18n import DERIVED_CATALOGS, catalog_path, derive_catalog

    root = Path(current_app.root_path).parent
    folder = Path(current_app.config["TRANSLATIONS_DIR"])
    template = folder / "messages.pot"
    CommandLineInterface().run([
        "pybabel", "-q", "extract", "-F", str(root / "babel.cfg"), "-k", "_l", "-k", "lazy_gettext", "--no-location",
        "--sort-output", "--omit-header", "--project", "MIL CLICKS for LMS",
        "--copyright-holder", "MIL CLICKS for LMS contributors", "-o", str(template), str(root),
    ])
    for locale in TRANSLATED_LOCALES:
        command = "update" if catalog_path(folder, locale).is_file() else "init"
        CommandLineInterface().run([
            "pybabel", "-q", command, "-i", str(template), "-d", str(folder), "-l", locale,
            *(["--no-fuzzy-matching", "--ignore-obsolete", "--width", "76"] if command == "update" else []),
        ])
    for locale in DERIVED_CATALOGS:
        path = catalog_path(folder, locale)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(derive_catalog(folder, locale))
    click.echo(f"Interface catalogs refreshed in {folder}.")
    click.get_current_context().invoke(modules_extract)


@translations_group.command("check")
@with_appcontext
def translations_check() -> None:
    """Report every missing, fuzzy or broken interface string; exit 1 if there is one."""
    from .i18n import interface_problems

    problems = interface_problems(current_app.config["TRANSLATIONS_DIR"])
    for problem in problems:
        click.echo(problem)
    click.echo(f"{len(problems)} problem(s) found.")
    if problems:
        sys.exit(1)


COMMANDS = (serve_command, db_group, platform_group, deployment_group, keys_group, grades_group, modules_group, translations_group, admin_group)


def register_commands(app: Flask) -> None:
    for command in COMMANDS:
        app.cli.add_command(command)


def main() -> None:
    from . import create_app

    cli = FlaskGroup(create_app=lambda: create_app(), help="MIL CLICKS for LMS.")
    sys.exit(cli.main(prog_name="milclicks"))
