"""pytest plugin for `make test-lowest`: PDFs written at the floors, judged by the locked validator.

pikepdf's PDF/A validator (`pikepdf.pdfa`, extra `pdfa`) first shipped in pikepdf 10.18, which
is above the floor of pikepdf as a runtime dependency. In the floor venv (`.venv-lowest`) the
PDF writer runs on the floor pikepdf and reportlab, and `tests/test_pdf.py` runs unchanged; only
its calls to `pikepdf.pdfa.validate_written(path, flavour)` are answered by the validator of the
locked test venv (`.venv`, named by BULLETIN_PDFA_PYTHON), through one long-lived helper process.

The validator is a test tool, like EPUBCheck or jing: what must be at its floor is what writes
the PDF, not what judges it. `test_validator_rejects_a_pdf_without_output_intent` in the same
file shows that the bridge does not approve everything. Where `pikepdf.pdfa` can be imported
(pikepdf >= 10.18) this plugin does nothing.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import types
from dataclasses import dataclass, field
from pathlib import Path

import pytest

HELPER = r"""
import json, sys
import pikepdf, pikepdf.pdfa
print(json.dumps({"pikepdf": pikepdf.__version__}), flush=True)
for line in sys.stdin:
    path, flavour = json.loads(line)
    report = pikepdf.pdfa.validate_written(path, flavour)
    print(json.dumps({"passed": report.passed, "findings": [str(f) for f in report.findings]}),
          flush=True)
"""


@dataclass
class Report:
    """What the tests read of pikepdf.pdfa.Report: `passed` and the findings (as text)."""

    passed: bool
    findings: list[str] = field(default_factory=list)


class Validator:
    def __init__(self, python: str) -> None:
        self.python = python
        self.process: subprocess.Popen[str] | None = None
        self.version = ""
        self.validated = 0

    def start(self) -> subprocess.Popen[str]:
        if self.process is None:
            env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
            self.process = subprocess.Popen(
                [self.python, "-c", HELPER], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                text=True, env=env)
            assert self.process.stdout is not None
            self.version = json.loads(self.process.stdout.readline())["pikepdf"]
        return self.process

    def validate_written(self, input_file: str | os.PathLike[str], flavour: str) -> Report:
        process = self.start()
        assert process.stdin is not None and process.stdout is not None
        process.stdin.write(json.dumps([str(Path(input_file).resolve()), flavour]) + "\n")
        process.stdin.flush()
        answer = process.stdout.readline()
        if not answer:
            raise RuntimeError(f"the PDF/A validator in {self.python} stopped")
        self.validated += 1
        return Report(**json.loads(answer))

    def stop(self) -> None:
        if self.process is not None:
            assert self.process.stdin is not None
            self.process.stdin.close()
            self.process.wait(timeout=30)


VALIDATOR: Validator | None = None


def pytest_configure(config: pytest.Config) -> None:
    global VALIDATOR
    if importlib.util.find_spec("pikepdf.pdfa") is not None:
        return
    python = os.environ.get("BULLETIN_PDFA_PYTHON")
    if not python:
        raise RuntimeError("pikepdf.pdfa is missing here: set BULLETIN_PDFA_PYTHON to a Python "
                           "whose pikepdf has it (make test-lowest uses .venv/bin/python)")
    import pikepdf

    VALIDATOR = Validator(python)
    module = types.ModuleType("pikepdf.pdfa")
    module.__doc__ = f"pikepdf.pdfa.validate_written answered by {python} (tools/pdfa_bridge.py)"
    setattr(module, "validate_written", VALIDATOR.validate_written)  # noqa: B010
    sys.modules["pikepdf.pdfa"] = module
    setattr(pikepdf, "pdfa", module)  # noqa: B010


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if VALIDATOR is None or not VALIDATOR.validated:
        return
    import pikepdf

    terminalreporter.write_line(
        f"PDF/A: {VALIDATOR.validated} files written with pikepdf {pikepdf.__version__} were "
        f"judged by pikepdf {VALIDATOR.version}'s validator ({VALIDATOR.python})")


def pytest_unconfigure(config: pytest.Config) -> None:
    if VALIDATOR is not None:
        VALIDATOR.stop()
