"""Subcommands of the ``openxm`` command, one module each (see openxm.cli)."""


def django_command(parser, func):
    """Mark ``parser`` as needing Django set up before ``func`` runs."""
    parser.set_defaults(func=func, needs_django=True)
    return parser
