"""The bulletin-convert benchmark suite: `python -m benchmarks [--quick] [--out DIR]`.

It times whole commands as their users run them (`bulletin convert FOLDER`, against pandoc in
a shell loop and LibreOffice in one call, on the same bulletins, in the same run, so the report
can give ratios: absolute times on a shared machine are noise), then measures every stage of
the pipeline in one process on distinct bulletins (the project's test corpus in tests/corpus,
and bulletins generated from it) to show where the time goes, and writes the result as JSON
and as a Markdown table. A stage whose code has not landed yet is reported as "n/a", so the
harness keeps working while the project grows.
"""
