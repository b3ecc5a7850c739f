"""Benchmarks for the answer engine: ``newsbot eval realtimeqa|multihop-rag``.

Each benchmark has its own module; this one only dispatches and reports data errors.
"""

from __future__ import annotations

import argparse
import sys

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
    try:
        return await evaluate(args)
    except BenchmarkDataError as error:
        print(f"newsbot eval: {error}", file=sys.stderr)
        return 2
