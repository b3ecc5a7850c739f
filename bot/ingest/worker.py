"""Worker processes that cut articles into snippets beside the process that stores them.

Cutting is pure Python and holds the GIL: in a thread it takes turns with the writes and with
the event loop (a bot answering questions meanwhile would stall for tens of milliseconds at a
time); in a process of its own it runs beside them, on another core.

A worker is ``python -m bot.ingest.worker``: batches of articles go in over its stdin and the
prepared batches come back over its stdout, each a pickle after its length. It imports only
what cutting needs (0.07 s), where a ``multiprocessing`` worker would first re-import the
parent's main module (0.3 s more for ``newsbot``, paid by every large ingest). It ends when its
stdin closes, which also happens when the parent is killed: no worker outlives its ingest.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import pickle
import sys
from collections.abc import Sequence
from typing import BinaryIO

import bot
from bot.ingest.prepare import prepare_batch
from bot.models import Article, PreparedArticle

_LENGTH = 8  # bytes of the length before each pickle
_STOP_SECONDS = 5.0  # a worker told to stop gets this long before it is killed
# Workers run at a lower priority: on a machine with few cores, a bot answering questions
# while an import runs gets a core first, and cutting takes what is left (loop lag p99 at
# 100,000 articles, while ingesting: 25-39 ms without it, 19-28 ms with it).
_NICENESS = 10
# Two processes, though the writes leave less than one core free on a 2-core machine: with one,
# the writer waited for the next batch about 15% of the time (the process cuts at a lower
# priority, so it loses the core whenever the parent's threads want it); the second cuts
# meanwhile. Measured on 20,000 articles: ingest took 1.16x the parent's CPU time with one
# process, 1.09x with two.
PROCESSES = 2
# Articles sent to a process at a time. Pickling and unpickling hold the GIL from start to end
# (the interpreter cannot switch threads inside them), so a batch goes over in pieces: a whole
# batch of 250 long articles, 4 MB, held the event loop 11 to 29 ms each way (up to 86).
PIECE = 50
# The folder holding this package: the worker imports it from there, as this process did.
_HOME = os.path.dirname(os.path.dirname(os.path.abspath(bot.__file__)))


class WorkerError(RuntimeError):
    """A worker process stopped before answering."""


class SnippetWorker:
    """The parent's end of the worker processes; each cuts one batch at a time.

    Use ``async with await SnippetWorker.start() as worker: await worker.prepare(batch)``.
    Batches prepared at once are cut side by side, each in the first process free.
    """

    def __init__(self, processes: Sequence[_Process]):
        self._processes = list(processes)
        self._idle: asyncio.Queue[_Process] = asyncio.Queue()
        for process in self._processes:
            self._idle.put_nowait(process)

    @classmethod
    async def start(cls, processes: int = PROCESSES) -> SnippetWorker:
        """Start the worker processes (each is ready for work as soon as it has imported)."""
        started = await asyncio.gather(
            *(_Process.start() for _ in range(processes)), return_exceptions=True
        )
        running = [process for process in started if isinstance(process, _Process)]
        if len(running) < len(started):  # (out of memory or of file handles)
            await asyncio.gather(*(process.close() for process in running))
            raise next(error for error in started if isinstance(error, BaseException))
        return cls(running)

    async def prepare(self, batch: Sequence[Article]) -> list[PreparedArticle]:
        """:func:`bot.ingest.prepare.prepare_batch`, in a worker process (``PIECE`` articles
        at a time).

        Cancelled while a process is busy with it, that process is stopped (its answer would be
        read as the next batch's).
        """
        process = await self._idle.get()
        try:
            answers = [
                await process.exchange(batch[start : start + PIECE])
                for start in range(0, max(len(batch), 1), PIECE)
            ]
        finally:
            self._idle.put_nowait(process)
        cuts = []
        for answer in answers:
            # Unpickled in a thread: the event loop goes on meanwhile.
            result = await asyncio.to_thread(pickle.loads, answer)
            if isinstance(result, BaseException):
                raise result
            cuts += result
        return [PreparedArticle(article, *cut) for article, cut in zip(batch, cuts, strict=True)]

    async def close(self) -> None:
        """Let the processes finish and exit (their stdin closes); killed if they do not."""
        await asyncio.gather(*(process.close() for process in self._processes))

    async def __aenter__(self) -> SnippetWorker:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()


class _Process:
    """One worker process and its pipes: a batch goes in, its pickled snippets come back."""

    def __init__(self, process: asyncio.subprocess.Process):
        self.process = process

    @classmethod
    async def start(cls) -> _Process:
        path = os.pathsep.join(filter(None, [_HOME, os.environ.get("PYTHONPATH")]))
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot.ingest.worker",
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            env={**os.environ, "PYTHONPATH": path},
            # Out of the terminal's process group: Ctrl-C is the parent's to handle (it stops
            # its workers); in the group, each worker would print a traceback of its own.
            start_new_session=True,
        )
        return cls(process)

    async def exchange(self, batch: Sequence[Article]) -> bytes:
        """Send a batch; its pickled answer (callers take turns: see ``SnippetWorker``)."""
        stdin, stdout = self.process.stdin, self.process.stdout
        assert stdin is not None and stdout is not None  # both are pipes (see start)
        try:
            # Pickled in a thread, as the answer is unpickled: a batch of a few hundred
            # articles is megabytes, and the bot's event loop would stall meanwhile.
            stdin.write(await asyncio.to_thread(_framed, list(batch)))
            await stdin.drain()
            size = int.from_bytes(await stdout.readexactly(_LENGTH), "big")
            return await stdout.readexactly(size)
        except (asyncio.IncompleteReadError, ConnectionError) as error:
            raise WorkerError("the snippet worker stopped unexpectedly") from error
        except BaseException:
            self.kill()
            raise

    async def close(self) -> None:
        if self.process.stdin is not None:
            self.process.stdin.close()
        try:
            await asyncio.wait_for(self.process.wait(), _STOP_SECONDS)
        except TimeoutError:
            self.kill()
        except asyncio.CancelledError:
            self.kill()
            raise

    def kill(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            self.process.kill()


def _framed(message: object) -> bytes:
    """``message`` pickled, after its length."""
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    return len(data).to_bytes(_LENGTH, "big") + data


def serve(requests: BinaryIO, answers: BinaryIO) -> None:
    """The worker's loop: prepare each batch read from ``requests`` until it closes."""
    while len(header := requests.read(_LENGTH)) == _LENGTH:
        size = int.from_bytes(header, "big")
        if len(request := requests.read(size)) < size:
            return  # the parent went away while sending it
        batch = pickle.loads(request)
        try:
            # Only what cutting added goes back: the parent has the articles themselves, and
            # sending them back would double what crosses the pipe and is unpickled there.
            result: object = [
                (item.url_key, item.snippets, item.content_hash) for item in prepare_batch(batch)
            ]
        except Exception as error:  # the parent raises it
            result = error
        answers.write(_framed(result))
        answers.flush()


if __name__ == "__main__":
    if hasattr(os, "nice"):  # (not on Windows)
        os.nice(_NICENESS)
    answers = sys.stdout.buffer
    sys.stdout = sys.stderr  # a stray print must not corrupt the answers
    try:
        serve(sys.stdin.buffer, answers)
    except BrokenPipeError:  # the parent is gone: nobody to answer, nothing to flush at exit
        os.dup2(os.open(os.devnull, os.O_WRONLY), answers.fileno())
