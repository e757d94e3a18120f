"""`studyapp optimise [--apply]`: fit FSRS parameters to your own review history."""

from __future__ import annotations

import argparse

from studyapp.core.errors import UserError

EPILOG = """\
The optimiser fits the FSRS memory model to every answer in your review log and compares
the new parameters with the ones in use, on the same answers. Lower log loss and RMSE mean
better predictions of what you remember. With --apply the new parameters are stored only
when they are better; they then schedule every future answer (cards keep their current due
dates).

It needs at least 400 reviews made on a later day than the card's previous review.
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "optimise",
        help="fit FSRS parameters to your review history",
        description="Fit FSRS scheduling parameters to your own review history and show how "
        "well the current and the new parameters predict your answers.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--apply",
        action="store_true",
        help="store the new parameters when they predict your reviews better",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from studyapp.commands.common import open_collection
    from studyapp.core.optimise import apply_parameters, optimise

    with open_collection(args, write=args.apply) as col:
        result = optimise(col)
        if not result.enough_data:
            raise UserError(result.message)
        assert result.before is not None and result.after is not None
        print(
            f"Review log: {result.reviews} reviews, {result.items} usable for optimising "
            f"({result.seconds:.1f}s)."
        )
        print(f"{'':12}{'log loss':>10}{'RMSE (bins)':>14}")
        print(f"{'current':12}{result.before.log_loss:>10.4f}{result.before.rmse_bins:>14.2%}")
        print(f"{'optimised':12}{result.after.log_loss:>10.4f}{result.after.rmse_bins:>14.2%}")
        print(result.message)
        if not result.better:
            print("Not applied: your current parameters stay in use.")
            return 0
        if not args.apply:
            print("Not applied. Run `studyapp optimise --apply` to use the new parameters.")
            return 0
        apply_parameters(col, result)
    print("Applied: the new parameters will schedule your future answers.")
    return 0
