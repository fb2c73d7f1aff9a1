"""openxm backup / openxm restore: the whole database to one file and back (openxm.web.backup)."""

from . import django_command
from .i18n import gettext as _


def register(subparsers):
    p = subparsers.add_parser(
        "backup",
        help=_("Write a backup of the database to a file"),
        description=_(
            "Write the whole database to FILE: SQLite with its online backup API (safe while the "
            "server runs), PostgreSQL with pg_dump. Files under the media directory are not included."
        ),
    )
    p.add_argument("file", help=_("the backup file to write (must not exist)"))
    django_command(p, run_backup)
    r = subparsers.add_parser(
        "restore",
        help=_("Replace the database with a backup"),
        description=_(
            "Replace the database's contents with a file written by 'openxm backup' (pg_restore on "
            "PostgreSQL). Stop the server and workers first."
        ),
    )
    r.add_argument("file", help=_("a file written by 'openxm backup'"))
    r.add_argument("--yes", action="store_true", help=_("confirm that the current contents are replaced"))
    django_command(r, run_restore)


def run_backup(args) -> int:
    from openxm.web import backup

    kind = backup.backup(args.file)
    print(_("%(kind)s database written to %(file)s") % {"kind": kind, "file": args.file})
    return 0


def run_restore(args) -> int:
    from openxm.cli import CommandError
    from openxm.web import backup

    if not args.yes:
        raise CommandError(_("restore replaces every row of the database: add --yes to go ahead"))
    kind = backup.restore(args.file)
    print(_("%(kind)s database restored from %(file)s") % {"kind": kind, "file": args.file})
    return 0
