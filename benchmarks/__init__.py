"""The bulletin-convert benchmark suite: `python -m benchmarks [--quick] [--out DIR]`.

It measures every stage of the pipeline on distinct bulletins (the project's test corpus in
tests/corpus, and bulletins generated from it), runs pandoc and LibreOffice side by side in the
same run so the report can give ratios (absolute times on a shared machine are noise), and
writes the result as JSON and as a Markdown table. A stage whose code has not landed yet is
reported as "n/a", so the harness keeps working while the project grows.
"""
