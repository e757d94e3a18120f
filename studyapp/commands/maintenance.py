"""`studyapp backup`, `studyapp restore FILE`, `studyapp check`: keep the collection safe."""

from __future__ import annotations

import argparse

from studyapp.core.errors import UserError

BACKUP_EPILOG = """\
Backups are kept in the `backups` folder beside the collection: the newest 10, plus the
newest of each of the last 7 days. The app also backs up by itself before a schema upgrade,
before a deck update that removes notes, every 30 minutes while studying and when it closes.
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    backup = subparsers.add_parser(
        "backup",
        help="back up the collection now, or list the backups",
        description="Back up the collection now (or list the backups with --list).",
        epilog=BACKUP_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    backup.add_argument("--list", action="store_true", help="list the backups instead")
    backup.set_defaults(func=run_backup)

    restore = subparsers.add_parser(
        "restore",
        help="replace the collection with a backup",
        description="Replace the collection with a backup file. The current collection is "
        "backed up first, so a restore can itself be undone. The app must be closed.",
    )
    restore.add_argument(
        "file", metavar="FILE", help="a backup file (see `studyapp backup --list`)"
    )
    restore.set_defaults(func=run_restore)

    check = subparsers.add_parser(
        "check",
        help="check the collection for damage and repair it",
        description="Check the collection file and its contents; repair what can be "
        "repaired (after a backup). Exits with status 1 when problems remain.",
    )
    check.add_argument("--no-repair", action="store_true", help="only report; change nothing")
    check.set_defaults(func=run_check)


def _describe(info) -> str:
    counts = (
        f"{info.cards} cards, {info.reviews} reviews" if info.cards is not None else "unreadable"
    )
    when = info.time.astimezone().strftime("%Y-%m-%d %H:%M:%S")
    return f"{when}  {counts:<28} {info.path}"


def run_backup(args: argparse.Namespace) -> int:
    from studyapp.core.backup import backup_folder, list_backups, make_backup
    from studyapp.core.paths import collection_path

    path = collection_path(args.data_dir)
    if args.list:
        infos = list_backups(backup_folder(path))
        if not infos:
            print(f"No backups yet in {backup_folder(path)}.")
        for info in infos:
            print(_describe(info))
        return 0
    if not path.exists():
        raise UserError(f"There is no collection at {path} to back up.")
    from studyapp.commands.common import open_collection

    with open_collection(args, write=False) as col:
        dest = make_backup(col, "manual")
    print(f"Backed up to {dest}")
    return 0


def run_restore(args: argparse.Namespace) -> int:
    from studyapp.core.backup import restore_backup
    from studyapp.core.lock import acquire_writer_lock
    from studyapp.core.paths import collection_path

    path = collection_path(args.data_dir)
    with acquire_writer_lock(path):
        safety = restore_backup(path, args.file)
    if safety is not None:
        print(f"The collection as it was is saved in {safety}")
    print(f"Restored {args.file} to {path}")
    return 0


def run_check(args: argparse.Namespace) -> int:
    from studyapp.commands.common import open_collection
    from studyapp.core.check import check_database
    from studyapp.core.paths import collection_path

    if not collection_path(args.data_dir).exists():
        raise UserError(f"There is no collection at {collection_path(args.data_dir)}.")
    with open_collection(args, write=not args.no_repair) as col:
        report = check_database(col, repair=not args.no_repair)
    print(report.text())
    return 0 if report.ok else 1
