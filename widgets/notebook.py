"""Set-up helpers for the chapters' notebooks."""

import re
import textwrap
import warnings

# PyTorch's C++ warnings end with the path of the build machine's source file, e.g.
# "(Triggered internally at /__w/pytorch/.../TensorBody.h:493.)": noise for a reader.
_TRIGGERED_INTERNALLY = re.compile(r"\s*\(Triggered internally at [^)]*\)\s*$")


# Anomaly detection's warning carries the traceback of the forward call that made the failing node:
# every frame from Python's start through the kernel's event loop, each with its file's path.
_FORWARD_TRACEBACK = "Traceback of forward call that caused the error:"
_FRAME = re.compile(
    r'^  File "(?P<file>[^"]*)", line (?P<line>\d+), in (?P<function>.*)\n(?:    (?P<code>.*)\n)?', re.M
)
# The files a notebook's own cells run from: ipykernel's (/tmp/ipykernel_1234/567.py), IPython's.
_CELL = re.compile(r"ipykernel_\d+[/\\]\d+\.py$|^<ipython-input-")


def _forward_traceback(text):
    """Anomaly detection's warning with its traceback cut to the frames of the notebook's own cells,
    each as its line in the cell, its function and its code, without the kernel's paths."""
    head, _, frames = text.partition(_FORWARD_TRACEBACK)
    shown = [
        f"  In a cell, line {m['line']}, in {m['function']}\n    {m['code'].strip()}"
        for m in _FRAME.finditer(frames + "\n")
        if _CELL.search(m["file"]) and m["code"]
    ]
    first = textwrap.fill(f"{head.strip()} {_FORWARD_TRACEBACK[:-1]} (the notebook's own frames):", 72)
    return "\n".join([first, *shown])


def format_warning(message, category, filename=None, lineno=None, line=None):
    """Format a warning as ``Category: message``, wrapped for reading.

    Python's default format starts with the file and line that raised the warning. In a notebook
    that is the kernel's temporary file (``/tmp/ipykernel_1234/567.py:2``), which means nothing to a
    reader and changes on every run. Anomaly detection's traceback of the forward call is kept to
    the frames of the notebook's cells, each as its line and code (:func:`_forward_traceback`).
    """
    text = _TRIGGERED_INTERNALLY.sub("", str(message))
    if _FORWARD_TRACEBACK in text:
        return _forward_traceback(f"{category.__name__}: {text}") + "\n"
    return textwrap.fill(f"{category.__name__}: {text}", width=72) + "\n"


def plain_warnings():
    """Show every warning of this kernel as ``Category: message``, without paths."""
    warnings.formatwarning = format_warning


def plain_errors():
    """Show an error as ``Error: message``, without the traceback's frames and file paths.

    The chapters show a few errors on purpose; their tracebacks would list PyTorch's source files
    on the machine that ran the notebook. To see full tracebacks again in Jupyter: ``%xmode Context``.
    """
    from IPython import get_ipython

    shell = get_ipython()
    if shell is not None:
        shell.InteractiveTB.set_mode(mode="Minimal")  # as %xmode Minimal, without its printout
