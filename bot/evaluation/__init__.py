"""Benchmarks for the answer engine: ``newsbot eval realtimeqa|multihop-rag``.

Each benchmark has its own module; this one only dispatches and reports data errors.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from bot.evaluation.harness import BenchmarkDataError


async def run_evaluation(args: argparse.Namespace) -> int:
    """Run the benchmark named by ``args.benchmark``; returns the process exit code."""
    if args.benchmark == "realtimeqa":
        from bot.evaluation.realtimeqa import evaluate
    elif args.benchmark == "multihop-rag":
        from bot.evaluation.multihop import evaluate
    else:
        print(f"newsbot eval: unknown benchmark {args.benchmark!r}", file=sys.stderr)
        return 2
    if problem := _unwritable(args.json_out):
        # Checked first: a run takes minutes, and its figures were lost to a traceback at the end.
        print(f"newsbot eval: cannot write --json {args.json_out}: {problem}", file=sys.stderr)
        return 2
    try:
        return await evaluate(args)
    except BenchmarkDataError as error:
        print(f"newsbot eval: {error}", file=sys.stderr)
        return 2


def _unwritable(path: str | None) -> str | None:
    """Why the figures could not be written to ``path``, or None (also when no path is given)."""
    if not path:
        return None
    target = Path(path)
    if target.is_dir():
        return "it is a folder"
    folder = target.parent
    if not folder.is_dir():
        return f"no folder {folder}"
    if not os.access(target if target.exists() else folder, os.W_OK):
        return "permission denied"
    return None
