"""How the figures write numbers, in Python; the page's script has the same rules (figure.js:
``format`` and ``fill``), and a browser test holds the two against each other."""

import decimal
import math
import re


def format_value(value, decimals=4):
    """A frame's value as the readout shows it: `decimals` places, or six significant digits from a
    million on; "—" for what is not a finite number. The page's script has the same rule (``format``,
    JavaScript's toFixed and toExponential): an exact tie rounds away from zero."""
    if isinstance(value, str):
        return value
    if value is None or not math.isfinite(value):
        return "—"
    with decimal.localcontext() as context:
        context.rounding = decimal.ROUND_HALF_UP
        text = format(decimal.Decimal(value), ".5e" if abs(value) >= 1e6 else f".{decimals}f")
    return text[1:] if text.startswith("-") and float(text) == 0 else text


def fill(template, frame, decimals=None):
    """A template with its {channel} placeholders filled as the readout shows numbers. The page's
    script fills templates the same way (``fill`` in figure.js)."""
    decimals = decimals or {}
    return re.sub(r"\{([^}]+)\}", lambda m: format_value(frame.get(m.group(1)), decimals.get(m.group(1), 4)), template)
