"""The benchmark suite: ``python -m bench --out docs/benchmarks.md``.

Figures are measured here, never asserted in tests. Each benchmark returns
rows (what, figure, target, note) that end up in one Markdown table.
"""
