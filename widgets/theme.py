"""The figures' colours: one palette, as CSS custom properties, so a theme restyles every figure.

Everything a figure draws takes its colour from a variable ``--agi-<name>``: the marks (the page's
script paints them with ``var(--agi-c3)`` and so on), and the background drawn by matplotlib, whose
SVG is rewritten so that each colour of the palette reads ``var(--agi-<name>, #hex)``. The light
values are the defaults; a dark theme (the book's site, JupyterLab, VS Code) sets the other set.
"""

import re

# name: (light, dark). c0…c9 are matplotlib's default colour cycle ("C0"…"C9").
PALETTE = {
    "paper": ("#ffffff", "transparent"),
    "ink": ("#000000", "#d8dde3"),
    "label": ("#222222", "#e6e6e6"),
    "grid": ("#e5e5e5", "#343a40"),
    "axis": ("#999999", "#6c757d"),
    "faint": ("#b0b0b0", "#5c636a"),
    "muted": ("#777777", "#a0a7ae"),
    "box": ("#eef3fb", "#1f2a3a"),
    "halo": ("#ffffff", "#121212"),
    "c0": ("#1f77b4", "#5fa8e8"),
    "c1": ("#ff7f0e", "#ffa04d"),
    "c2": ("#2ca02c", "#5cc85c"),
    "c3": ("#d62728", "#ff6b6b"),
    "c4": ("#9467bd", "#b794e0"),
    "c5": ("#8c564b", "#c48f80"),
    "c6": ("#e377c2", "#f0a0d8"),
    "c7": ("#7f7f7f", "#b0b0b0"),
    "c8": ("#bcbd22", "#d8d94a"),
    "c9": ("#17becf", "#4fd6e3"),
}

#: Where a dark theme is on: the book's site (pydata-sphinx-theme), JupyterLab and Notebook 7,
#: VS Code.
DARK = ('html[data-theme="dark"] {scope}', 'body[data-jp-theme-light="false"] {scope}', "body.vscode-dark {scope}")


def color(name):
    """A palette colour as matplotlib takes it (the light value; the SVG is themed afterwards)."""
    return PALETTE[name][0]


def css(scope=".agi-figure"):
    """The palette as CSS custom properties of `scope` (a selector): light by default, dark where a
    dark theme is on."""
    light = "".join(f"--agi-{name}:{light};" for name, (light, _) in PALETTE.items())
    dark = "".join(f"--agi-{name}:{dark};" for name, (_, dark) in PALETTE.items())
    where = ",".join(d.format(scope=scope) for d in DARK)
    return f"{scope}{{{light}}}{where}{{{dark}color-scheme:dark;}}"


_BY_HEX = {}
for _name, (_light, _) in PALETTE.items():  # the first name of a colour is the one a background uses
    _BY_HEX.setdefault(_light, _name)


def themed(svg):
    """matplotlib's SVG with each palette colour read from its variable (the colour as fallback)."""

    def variable(match):
        name = _BY_HEX.get(match.group(0).lower())
        return f"var(--agi-{name}, {match.group(0)})" if name else match.group(0)

    return re.sub(r"#[0-9a-fA-F]{6}\b", variable, svg)
