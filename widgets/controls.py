"""What a reader controls in a figure: sliders over a grid, and choices.

A control is a spec: its range or options, its starting value, and the grid of values the
website's figure has computed in advance. How a control behaves (clamping a typed value, going to
the nearest value the page has, the notes that say so) is written once, in
the page's script (``widgets/static/figure.js``), for both views. What Python checks here is that
a spec makes sense (with a message in the reader's terms when it does not), and, in Jupyter, that
a value the front end sends is one the control can take (:meth:`Slider.parse` and friends).
"""

import math
import numbers
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property


def real(value, what):
    """`value` as a finite float: Python and NumPy numbers, and tensors of one element, are fine."""
    if hasattr(value, "numel") and hasattr(value, "item"):  # a torch tensor
        if value.numel() != 1 or value.is_complex():
            raise TypeError(f"{what} must be one real number; got a tensor of shape {tuple(value.shape)}")
        value = value.item()
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{what} must be a number; got {value!r} ({type(value).__name__})")
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"{what} must be a finite number; got {value}")
    return value


#: A slider's limits. Its values are written out in full (``format``), so they stay within
#: ±LARGEST and need at most MOST_DECIMALS places; and its grid is listed, so it has at most
#: MOST_STEPS steps. Beyond them, rescale the variable (x = u·1e300, u from −1 to 1).
LARGEST, MOST_DECIMALS, MOST_STEPS = 1e9, 12, 1_000_000


def _exact(number):
    """A float written with every digit it has, and no more: 99, 3.0000000001, 1e-11."""
    text = repr(number)
    return text[:-2] if text.endswith(".0") else text


def _decimals(number):
    """Decimal places that write `number` exactly: 0.05 → 2, 1e-11 → 11, 3.0 → 0; or to within a
    few of float64's last bits, the noise of arithmetic: 3 × -0.1 = -0.30000000000000004 → 1."""
    exact = max(0, -Decimal(repr(number)).normalize().as_tuple().exponent)
    return next((p for p in range(exact) if abs(round(number, p) - number) <= 4 * math.ulp(number)), exact)


@dataclass(frozen=True)
class Slider:
    """A number between `lo` and `hi`, in steps of `step`, starting at `value` (on the grid).
    `whole`: its values are counts (steps, say): a value typed between them is refused."""

    name: str
    label: str
    lo: float
    hi: float
    step: float
    value: float
    whole: bool = False

    def __post_init__(self):
        for key in ("lo", "hi", "step", "value"):
            object.__setattr__(self, key, real(getattr(self, key), f"{self.label}: {key}"))
        if not self.lo < self.hi:
            raise ValueError(f"{self.label} needs lo < hi; got {self.lo:g} and {self.hi:g}")
        if self.step <= 0:
            raise ValueError(f"{self.label} needs a step > 0; got {self.step:g}")
        if max(abs(self.lo), abs(self.hi)) > LARGEST:
            raise ValueError(
                f"{self.label} runs from {self.lo:g} to {self.hi:g}: a slider writes its values out in full, "
                f"so they stay between -1e9 and 1e9. Rescale the variable: for x near "
                "1e300, say, explore a function of u = x / 1e300 with u from -1 to 1"
            )
        if self.decimals > MOST_DECIMALS:
            raise ValueError(
                f"{self.label}: values from {self.lo!r} in steps of {self.step!r} need {self.decimals} decimal "
                f"places to write; a slider writes at most {MOST_DECIMALS}. Write them as plain numbers (0.05, "
                "not a float32 tensor's 0.05000000074505806), or rescale the variable: for x near 1e-15, say, "
                "explore a function of u = x / 1e-15"
            )
        steps = (self.hi - self.lo) / self.step
        if steps > MOST_STEPS:
            raise ValueError(
                f"{self.label}: {self.format(self.lo)} … {self.format(self.hi)} in steps of {self.format(self.step)} "
                f"is {steps:,.0f} steps; a slider takes at most {MOST_STEPS:,}: choose a larger step"
            )
        if abs(steps - round(steps)) > 1e-6 * max(1.0, steps):
            raise ValueError(f"{self.label}: {self.lo:g} … {self.hi:g} is not a whole number of steps of {self.step:g}")
        grid = self.grid
        if len(set(grid)) != len(grid):
            raise ValueError(f"{self.label}: a step of {self.step:g} is too small to tell its values apart")
        if not any(math.isclose(self.value, g, rel_tol=1e-9, abs_tol=1e-12) for g in grid):
            near = min(grid, key=lambda g: abs(g - self.value))
            raise ValueError(
                f"{self.label} starts at {self.value:g}, which is not one of its values "
                f"({self.format(self.lo)} … {self.format(self.hi)} in steps of {self.format(self.step)}):"
                f" start at {self.format(near)}, or choose a step that reaches {self.value:g}"
            )

    @cached_property
    def decimals(self):
        """Decimal places that write every value of the grid exactly: those of lo and of step
        (lo = 0.25 in steps of 0.5: 0.25, 0.75, …). The page's script writes them the same way."""
        return max(_decimals(self.step), _decimals(self.lo))

    @property
    def size(self):
        return round((self.hi - self.lo) / self.step) + 1

    @cached_property
    def grid(self):
        """lo + i·step for i = 0 … size − 1, rounded to its decimals (figure.js: fullGrid)."""
        decimals = self.decimals
        return [round(self.lo + i * self.step, decimals) for i in range(self.size)]

    def format(self, value):
        return f"{value:.{self.decimals}f}"

    def parse(self, value):
        """A value sent by the front end, as a float in range; ValueError says what is wrong."""
        try:
            value = real(value, self.label)
        except (TypeError, ValueError):
            raise ValueError(f"{self.label} must be a number; got {value!r}") from None
        slack = 1e-9 * self.step
        if not self.lo - slack <= value <= self.hi + slack:
            raise ValueError(
                f"{self.label} = {_exact(value)} is outside {self.format(self.lo)} … {self.format(self.hi)}"
            )
        if self.whole and value != round(value):
            raise ValueError(f"{self.label} takes whole numbers only; got {_exact(value)}")
        return min(max(value, self.lo), self.hi)

    def spec(self):
        return {
            "kind": "slider",
            "name": self.name,
            "label": self.label,
            "lo": self.lo,
            "hi": self.hi,
            "step": self.step,
            "value": self.value,
            "decimals": self.decimals,
            **({"whole": True} if self.whole else {}),
        }


@dataclass(frozen=True)
class Choice:
    """One of a few named options, shown as radio buttons."""

    name: str
    label: str
    options: tuple  # ((value, label), ...)
    value: str = None

    def __post_init__(self):
        if self.value is None:
            object.__setattr__(self, "value", self.options[0][0])
        if self.value not in self.grid:
            raise ValueError(f"{self.label} starts at {self.value!r}, which is not one of {self.grid}")

    @property
    def grid(self):
        return [value for value, _ in self.options]

    def parse(self, value):
        if value not in self.grid:
            raise ValueError(f"{self.label} must be one of {', '.join(map(repr, self.grid))}; got {value!r}")
        return value

    def spec(self):
        return {
            "kind": "choice",
            "name": self.name,
            "label": self.label,
            "options": [list(o) for o in self.options],
            "value": self.value,
        }
