"""The rules written in both languages, Python and the page's script, held against each other and
against literal cases: the number format, the filling of text templates, the sliders' grids and
the packed table of frames.

The script (widgets/static/figure.js) runs in Node.js here, with no browser: it is a classic
script whose functions need no page until a figure is mounted. Node runs the site's build too
(KaTeX, PurgeCSS), so `bash scripts/setup` installs it.
"""

import json
import math
import subprocess

import numpy as np
import pytest

from tests.figures import decode, grids, stored_figures
from widgets.controls import Choice, Slider
from widgets.explorer import Explorer
from widgets.formats import fill, format_value
from widgets.page import script


def javascript(calls):
    """[(function name, args)] → what figure.js's functions return (async ones awaited), via Node.js."""
    program = """
const vm = require("vm");
const [source, calls] = require("fs").readFileSync(0, "utf8").split("\\n//CALLS\\n");
const figures = vm.runInThisContext(source + "\\n;agiFigures");
(async () => {
  const results = [];
  for (const [name, ...args] of JSON.parse(calls)) {
    if (name === "table") {  // every frame of a table, in order, and its grids
      const source = await figures.tableSource(args[0]);
      const sizes = args[0].controls.map((c) => source.grids[c.name].length);
      const frames = [];
      const count = sizes.reduce((a, b) => a * b, 1);
      for (let i = 0; i < count; i++) {
        const values = {};
        let rest = i;
        for (let c = args[0].controls.length - 1; c >= 0; c--) {
          const control = args[0].controls[c];
          values[control.name] = source.grids[control.name][rest % sizes[c]];
          rest = Math.floor(rest / sizes[c]);
        }
        frames.push(source.frame(values));
      }
      results.push({ frames, grids: source.grids });
    } else results.push(await figures[name](...args));
  }
  process.stdout.write(JSON.stringify(results, (k, v) => (typeof v === "number" && !Number.isFinite(v) ? null : v)));
})();
"""
    done = subprocess.run(
        ["node", "-e", program],
        input=script() + "\n//CALLS\n" + json.dumps(calls, allow_nan=False),
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout)


# The number format: literal cases, each worked out by hand (ties of exact binary values round
# away from zero; from a million on, six significant digits).
FORMATS = [
    (0.0, 4, "0.0000"),
    (-0.0, 4, "0.0000"),
    (1.5, 4, "1.5000"),
    (-1e-5, 4, "0.0000"),  # no "-0.0000"
    (0.125, 2, "0.13"),  # 0.125 is exact in binary: a tie, away from zero
    (-0.125, 2, "-0.13"),
    (2.5, 0, "3"),
    (-0.5, 0, "-1"),
    (1.005, 2, "1.00"),  # 1.005 is 1.00499999999999989… in binary: no tie
    (0.1 + 0.2, 2, "0.30"),
    (999999.99, 4, "999999.9900"),
    (999999.99999, 4, "1000000.0000"),  # below a million, so fixed, though it rounds up to one
    (1e6, 4, "1.00000e+6"),
    (1234565.0, 4, "1.23457e+6"),  # a tie at six digits
    (-2.5e43, 4, "-2.50000e+43"),
    (1e-300, 4, "0.0000"),
    (6.6918, 4, "6.6918"),
    (-813.3619, 4, "-813.3619"),
    (4.0, 1, "4.0"),
    (math.nan, 4, "—"),
    (math.inf, 4, "—"),
    (-math.inf, 4, "—"),
    (None, 4, "—"),
    ("tensor(4.)", 4, "tensor(4.)"),
]
#: A template, a frame and its decimals, and the text (a channel missing from the frame reads "—").
TEMPLATE = ("a {a} + {b} = {c}; {none} {t} {d}", {"a": 1.5, "b": -0.00004, "c": 2.5e43, "t": "x", "d": 0.25}, {"d": 1})
FILLED = "a 1.5000 + 0.0000 = 2.50000e+43; — x 0.3"
#: (lo, hi, step) → the slider's grid, written out.
GRIDS = [
    ((-1.0, 1.0, 0.5), [-1.0, -0.5, 0.0, 0.5, 1.0]),
    ((0.0, 0.3, 0.1), [0.0, 0.1, 0.2, 0.3]),  # 3 × 0.1 is 0.30000000000000004: written 0.3
    ((0.25, 1.25, 0.5), [0.25, 0.75, 1.25]),  # lo's decimals count too
    ((0.0, 40.0, 1.0), [float(k) for k in range(41)]),
    ((-0.3, 0.3, 0.15), [-0.3, -0.15, 0.0, 0.15, 0.3]),
    ((3 * -0.1, 0.3, 0.1), [-0.3, -0.2, -0.1, 0.0, 0.1, 0.2, 0.3]),  # lo is -0.30000000000000004: noise
]


def test_numbers_read_the_same_in_python_and_in_the_script():
    script_says = javascript(
        [["format", v if not isinstance(v, float) or math.isfinite(v) else None, d] for v, d, _ in FORMATS]
    )
    for (value, decimals, text), said in zip(FORMATS, script_says):
        assert format_value(value, decimals) == text, (value, decimals)
        assert said == text, (value, decimals)


def test_templates_are_filled_the_same_in_python_and_in_the_script():
    template, frame, decimals = TEMPLATE
    (said,) = javascript([["fill", template, frame, decimals]])
    assert fill(template, frame, decimals) == FILLED == said


def test_a_sliders_values_are_the_same_in_python_and_in_the_script():
    sliders = [Slider("x", "x", lo, hi, step, lo) for (lo, hi, step), _ in GRIDS]
    said = javascript([["fullGrid", s.spec()] for s in sliders])
    for slider, ((lo, hi, step), grid), script_grid in zip(sliders, GRIDS, said):
        assert slider.grid == grid == script_grid, (lo, hi, step)


def test_every_chapter_sliders_values_are_the_same_in_python_and_in_the_script():
    controls = [c for s in stored_figures() for c in s.data["controls"] if c["kind"] == "slider"]
    said = javascript([["fullGrid", c] for c in controls])
    for control, grid in zip(controls, said):
        made = Slider(
            control["name"], control["label"], control["lo"], control["hi"], control["step"], control["value"]
        )
        assert made.grid == grid, control


def test_the_nearest_value_is_the_same_rule_everywhere():
    cases = [([1, 2, 3], 1.5, 1), ([0.05, 0.1], 0.075, 1), ([-2, -1], -1.5, 1), ([0, 1, 2], 7, 2), ([0, 1], -3, 0)]
    said = javascript([["nearest", grid, v] for grid, v, _ in cases])
    assert said == [k for *_, k in cases], "halfway goes to the larger value; beyond the ends, the end"


class Tiny(Explorer):
    """Six frames whose every number is known: y = 2x (+1 for "b"); a number the readout shows
    with more digits than float32 holds, so the table keeps it in float64 (the others are kept as
    shown, in float32); one with no value; and a text."""

    controls = (Slider("x", "x", 0.0, 1.0, 0.5, 0.0), Choice("m", "m", (("a", "a"), ("b", "b"))))

    def evaluate(self, x, m):
        return {"y": 2 * x + (m == "b"), "exact": 999999.1234 + x, "gap": math.nan if x == 0.5 else x, "t": f"{m}{x}"}


def tiny_expected(x, m):
    return {"y": 2 * x + (m == "b"), "exact": 999999.1234 + x, "gap": None if x == 0.5 else x, "t": f"{m}{x}"}


def test_the_packed_table_is_read_the_same_by_the_script_as_it_was_written():
    figure = Tiny()
    data = {"controls": [c.spec() for c in figure.controls], "table": figure.table()}
    (read,) = javascript([["table", data]])
    assert read["grids"] == {"x": [0.0, 0.5, 1.0], "m": ["a", "b"]}
    points = [(x, m) for x in (0.0, 0.5, 1.0) for m in ("a", "b")]  # row-major over the controls
    for (x, m), frame, python in zip(points, read["frames"], decode(data["table"]), strict=True):
        wanted = tiny_expected(x, m)
        for channel in ("y", "gap", "t"):
            assert frame[channel] == wanted[channel], (channel, x, m)
        assert frame["exact"] == wanted["exact"], "read back to the last bit: it is kept in float64"
        assert {k: None if isinstance(v, float) and math.isnan(v) else v for k, v in python.items()} == {
            k: frame[k] for k in python
        }


@pytest.mark.parametrize("stored", [s for s in stored_figures() if s.data["controls"]], ids=lambda s: s.name)
def test_every_chapter_table_is_read_the_same_by_the_script_and_by_python(stored):
    data = stored.data
    (read,) = javascript([["table", {"controls": data["controls"], "table": data["table"]}]])
    assert read["grids"] == grids(data["table"])
    python = decode(data["table"])
    assert len(read["frames"]) == len(python) == data["table"]["frames"]
    for frame, expected in zip(read["frames"], python):
        assert frame == {k: None if isinstance(v, float) and np.isnan(v) else v for k, v in expected.items()}
