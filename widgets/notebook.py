"""Set-up helpers for the chapters' notebooks."""

import re
import textwrap
import warnings

# PyTorch's C++ warnings end with the path of the build machine's source file, e.g.
# "(Triggered internally at /__w/pytorch/.../TensorBody.h:493.)": noise for a reader.
_TRIGGERED_INTERNALLY = re.compile(r"\s*\(Triggered internally at [^)]*\)\s*$")


def format_warning(message, category, filename=None, lineno=None, line=None):
    """Format a warning as ``Category: message``, wrapped for reading.

    Python's default format starts with the file and line that raised the warning. In a notebook
    that is the kernel's temporary file (``/tmp/ipykernel_1234/567.py:2``), which means nothing to a
    reader and changes on every run.
    """
    text = _TRIGGERED_INTERNALLY.sub("", str(message))
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
