"""The figures' colours: one palette, as CSS custom properties, so a theme restyles every figure.

Everything a figure draws takes its colour from a variable ``--agi-<name>``: the marks (the page's
script paints them with ``var(--agi-c3)`` and so on), and the background drawn by matplotlib, whose
SVG is rewritten so that each colour of the palette reads ``var(--agi-<name>, #hex)``. The light
values are the defaults; a dark theme (the book's site, JupyterLab, VS Code) sets the other set.

A colour means one thing in every figure of the book (:data:`MEANINGS`): a figure asks for the
meaning ("tangent", "gradient", …), never for a colour of the cycle. Each of them reads at 4.5:1 or
more on the figures' background, light and dark (:data:`BACKGROUNDS`): a mark, and the readout's
row of the number it draws, which takes its colour.
"""

import re

#: What each colour means, the same in every figure (and the recorded graph's boxes and edges).
MEANINGS = {
    "value": "a function's curve, a tensor's values",
    "current": "the current point, step or node: where the controls are",
    "tangent": "the tangent at the current point (its slope is the derivative)",
    "gradient": "a gradient: x.grad, a derivative's curve, what backward sends, −∇L",
    "leaf": "a leaf tensor that requires grad (where backward stores .grad)",
    "path": "the path training took, step by step",
    "label0": "examples and losses for the label y = 0",
    "label1": "examples and losses for the label y = 1",
}

# name: (light, dark). The meanings first (a background's colour is named by the first name of its
# value); c0…c9 are matplotlib's default colour cycle ("C0"…"C9"), for nothing that has a meaning.
PALETTE = {
    "value": ("#1f77b4", "#5fa8e8"),
    "current": ("#d62728", "#ff6b6b"),
    "tangent": ("#bf5000", "#ffa04d"),
    "gradient": ("#1e7d32", "#5cc85c"),
    "leaf": ("#00798a", "#3fc5d6"),
    "path": ("#b5308f", "#f08cd0"),
    "label0": ("#7b4fb0", "#b794e0"),
    "label1": ("#8c564b", "#c9968a"),
    "paper": ("#ffffff", "transparent"),
    "ink": ("#000000", "#d8dde3"),
    "label": ("#222222", "#e6e6e6"),
    "grid": ("#e5e5e5", "#343a40"),
    "axis": ("#999999", "#6c757d"),
    "faint": ("#b0b0b0", "#5c636a"),
    "muted": ("#707070", "#a0a7ae"),
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

#: The backgrounds a figure is drawn on: white, and the dark themes' (the book's site, JupyterLab's
#: page and cells, VS Code). The meanings' colours and the text colours read on each of them.
BACKGROUNDS = {"light": ("#ffffff",), "dark": ("#14181e", "#111111", "#212121", "#1e1e1e")}

#: Where a dark theme is on: the book's site (pydata-sphinx-theme), JupyterLab and Notebook 7,
#: VS Code.
DARK = ('html[data-theme="dark"] {scope}', 'body[data-jp-theme-light="false"] {scope}', "body.vscode-dark {scope}")


def color(name):
    """A palette colour as matplotlib takes it (the light value; the SVG is themed afterwards)."""
    return PALETTE[name][0]


def luminance(red, green, blue):
    """WCAG's relative luminance (0 black, 1 white) of a colour's channels, each 0 to 255."""
    r, g, b = (
        c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in (red / 255, green / 255, blue / 255)
    )
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(one, other):
    """The WCAG contrast ratio of two colours "#rrggbb": 1 (the same) to 21 (black on white)."""
    light, dark = sorted((luminance(*(int(c[k : k + 2], 16) for k in (1, 3, 5))) for c in (one, other)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


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
