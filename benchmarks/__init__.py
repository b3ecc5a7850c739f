"""Benchmark suite for newsbot (GitHub issue #6): ``python -m benchmarks --sizes 1000,10000``.

Each archive size runs in its own subprocess (so each size's peak memory is its own) and goes
through the product's normal paths: ``bot.ingest.pipeline.ingest_articles`` into
``bot.archive.Archive``, ``bot.search.Engine`` for answers, ``bot.alerts.outbox.match_articles``
for alerts, and the real ``NewsBot`` against the fake Discord of ``tests/fakes`` on 127.0.0.1.

The modules, one job each:

- ``options``: the command line, shared by the parent and the per-size subprocesses;
- ``corpus``: the source articles and questions (RealTimeQA, else ``synthetic``);
- ``scale``: archives of any size from the source articles (recombined, perturbed, seeded);
- ``timing``: percentiles, memory readings and the event-loop lag ticker;
- ``build``: ingest through the product path, throughput and size on disk;
- ``answers``: warm engine latency and answer quality (``quality``);
- ``unbounded``: the same quality with the search bounds lifted (own process);
- ``cold``: the first answer in a fresh process;
- ``baselines``: naive rapidfuzz and FTS5 searches over the same snippets (own process);
- ``alerts``: 1,000 subscriptions x 1,000 articles;
- ``lag``: loop lag while answering and ingesting at once;
- ``e2e``: concurrent ``/ask`` through the fake Discord while an ingest runs;
- ``size``: one size's run, in its own process; ``targets`` and ``report``: PASS/FAIL, table.
"""
