"""One stylesheet for every page, holding only the rules the site uses, and its fonts cut to what it shows.

A page of the theme links fourteen stylesheets (560 KiB, 388 of them pydata-sphinx-theme's: Bootstrap
and Font Awesome's whole list of icons), and one of them imports two more, a second round trip. A
browser paints nothing before it has them all. Instead, when the site is built:

- every page links one file, ``_static/site.css``: the same stylesheets, in the same order, with
  their ``@import``s inlined and their ``url()``s pointing where they did, and then only the rules
  whose class names, ids, tags and attributes occur in the site's pages or in the scripts they
  load (PurgeCSS, ``purge_css.mjs``; without the Bootstrap components no page has), without
  comments or whitespace;
- the fonts it links are cut (fontTools) and written to ``_static/site-fonts/``: Font Awesome's to
  the icons that stylesheet can show (the theme draws each icon from a code point in a ``content``
  rule or a ``--pst-icon-*`` variable), 152 KiB for the solid style becoming 2; KaTeX's to the
  characters of the site's equations, 26 KiB for its main font becoming a few.

The fonts nearly every first paint uses (KaTeX's main and math italic, its four sizes of large
delimiters, the solid icons: ``INLINED_FONTS``) are written into the stylesheet, so they arrive
with it rather than a round trip after it. ``_templates/layout.html`` puts the one link in place of
the theme's, and has the browser read those fonts as soon as it has come. The theme's own files stay
in ``_static/`` as they are. A page whose stylesheets are not the ones bundled fails the build
(a warning, and the build runs with ``-W``), so nothing is left out unseen.
"""

import base64
import functools
import hashlib
import html
import logging as logging_module
import os
import re
import subprocess
from pathlib import Path

from sphinx.util import logging

logger = logging.getLogger(__name__)

BUNDLE = "_static/site.css"
FONTS = "_static/site-fonts"
#: Fonts the first paint of nearly every page needs, written into the stylesheet itself (a few KB
#: each once cut): they come with it, not one round trip after it, and from file:// too. The four
#: sizes of large delimiters (1 KB each: brackets around a fraction) are among them: most chapters
#: have some, and the browser asks for every font the page uses when it first lays the page out,
#: before its first paint, which then waits one round trip more for each. Each keeps its file as
#: the next source (for a page served with a Content-Security-Policy that allows no data: fonts).
#: Each one's file, and a CSS font that names it, for document.fonts.load (_templates/layout.html):
#: read as soon as the stylesheet has come, they are there when the page is first laid out, which
#: is otherwise done in a fallback font, and again once they are read (a layout shift).
INLINED_FONTS = {
    "KaTeX_Main-Regular.woff2": "1em KaTeX_Main",
    "KaTeX_Math-Italic.woff2": "italic 1em KaTeX_Math",
    "fa-solid-900.woff2": '900 1em "Font Awesome 6 Free"',
    **{f"KaTeX_Size{size}-Regular.woff2": f"1em KaTeX_Size{size}" for size in range(1, 5)},
}
HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PURGE = HERE / "purge_css.mjs"
UNLOADED_SCRIPTS = ["scripts/fontawesome.js"]  # in _static, but _templates/layout.html leaves it out
CUT_FONT = re.compile(r"url\(([^)]*(fontawesome|katex)[^)]*\.woff2)\)")
SPAN = re.compile(r"<span\b|</span>")
#: A code point of Unicode's private-use area (U+E000 to U+F8FF: Font Awesome's icons), in a CSS string as
#: an escape (Font Awesome's own stylesheet: "\f0eb") or as the character itself (the theme's
#: minified stylesheet has `--pst-icon-lightbulb` as U+F0EB itself between quotes: the hint's icon).
CODE_POINT = re.compile(r"\\([ef][0-9a-f]{3})(?![0-9a-f])|([\ue000-\uf8ff])", re.IGNORECASE)


@functools.cache
def _theme_stylesheets(app):
    """The stylesheets the theme links before Sphinx's, as its webpack-macros.html lists them."""
    for folder in app.builder.theme.get_theme_dirs():
        macros = Path(folder) / "static" / "webpack-macros.html"
        if macros.is_file():
            head = macros.read_text().split("{% endmacro %}")[0]
            return re.findall(r"pathto\('(_static/[^']+\.css)'", head)
    return []


def _stylesheets(app, css_files):
    """The stylesheets a page links, in order: the theme's, then `css_files`, those Sphinx and the
    extensions add (``app.builder.css_files`` for every page, ``context["css_files"]`` for one)."""
    return _theme_stylesheets(app) + [str(css.filename) for css in css_files]


def _page_stylesheets(app, pagename, templatename, context, doctree):
    sheets = _stylesheets(app, context.get("css_files", []))
    bundled = _stylesheets(app, app.builder.css_files)
    if sheets != bundled or any("://" in sheet for sheet in sheets):
        logger.warning(f"{pagename}: its stylesheets {sheets} are not the ones in {BUNDLE} ({bundled})")
        return
    context["site_css"] = context["pathto"](BUNDLE, 1)
    context["site_fonts"] = list(INLINED_FONTS.values())


def _inline(path, static):
    """A stylesheet with its @imports inlined and its url()s made relative to _static/."""
    css = path.read_text(encoding="utf-8")

    def imported(match):
        return _inline((path.parent / match.group(1)).resolve(), static)

    def moved(match):
        quote, url = match.groups()
        if url.startswith(("data:", "http:", "https:", "#", "/")):
            return match.group(0)
        target, _, fragment = url.partition("#")
        target = os.path.relpath((path.parent / target.split("?")[0]).resolve(), static)
        return f"url({quote}{target}{'#' + fragment if fragment else ''}{quote})"

    css = re.sub(r"""@import\s+(?:url\()?["']?([^"')?;]+)[^;]*;""", imported, css)
    return re.sub(r"""url\((["']?)([^"')]+)\1\)""", moved, css)


def _math_characters(pages):
    """Every character the site's equations show (`pages`: the text of every page): the text of
    KaTeX's HTML and MathML output."""
    characters = set()
    for text in pages:
        for start in re.finditer(r'<span class="katex">', text):
            depth, position = 0, start.start()
            for tag in SPAN.finditer(text, position):
                depth += -1 if tag.group(0) == "</span>" else 1
                if depth == 0:
                    break
            characters.update(html.unescape("".join(re.findall(r">([^<]+)<", text[position : tag.end()]))))
    return {ord(c) for c in characters}


def icon_code_points(css):
    """The code points of the icons a stylesheet can draw: every private-use character in it, escaped
    or written as itself (the cut keeps them all; tests/test_site_reading.py checks the cut font has them)."""
    return {int(escaped, 16) if escaped else ord(literal) for escaped, literal in CODE_POINT.findall(css)}


def _cut_fonts(css, outdir, pages):
    """The WOFF2 fonts of Font Awesome and KaTeX cut to what the site shows; the css pointing at them.

    Font Awesome's to the code points the stylesheet uses (each icon is a code point in a
    ``content`` rule or a ``--pst-icon-*`` variable); KaTeX's to the characters of the site's equations.
    """
    from fontTools import subset

    logging_module.getLogger("fontTools").setLevel(logging_module.WARNING)  # it reports every table at INFO

    wanted = {
        "fontawesome": sorted(icon_code_points(css)),
        "katex": sorted(_math_characters(pages)),
    }
    # No hinting instructions: browsers on phones, macOS and Linux ignore them; they were a fifth of the bytes.
    options = subset.Options(flavor="woff2", layout_features=["*"], notdef_outline=True, hinting=False)
    (outdir / FONTS).mkdir(parents=True, exist_ok=True)
    done = {}

    def cut(match):
        url = match.group(1)
        source = (outdir / "_static" / url).resolve()
        if source not in done:
            font = subset.load_font(str(source), options)
            subsetter = subset.Subsetter(options)
            subsetter.populate(unicodes=wanted[match.group(2)])
            subsetter.subset(font)
            target = outdir / FONTS / source.name
            subset.save_font(font, str(target), options)
            done[source] = f"url({os.path.relpath(FONTS, '_static')}/{source.name})"
            if source.name in INLINED_FONTS:
                data = "data:font/woff2;base64," + base64.b64encode(target.read_bytes()).decode()
                done[source] = f'url({data}) format("woff2"),{done[source]}'
        return done[source]

    return CUT_FONT.sub(cut, css)


def _bundle(app, exception):
    if exception is not None or app.builder.format != "html":
        return
    outdir = Path(app.outdir)
    static = outdir / "_static"
    bundle = outdir / BUNDLE
    sheets = _stylesheets(app, app.builder.css_files)
    pages = [page.read_text(encoding="utf-8") for page in sorted(outdir.rglob("*.html"))]
    # Made again when a page or a stylesheet changed (an edited stylesheet alone rewrites no page,
    # yet must reach the bundle), and only then: it takes a second or two.
    inputs = hashlib.sha256(str(sheets).encode())
    for sheet in sheets:
        inputs.update((outdir / sheet).read_bytes())
    for page in pages:
        inputs.update(page.encode())
    made_from = Path(app.doctreedir) / "site-css-inputs"
    if bundle.is_file() and made_from.is_file() and made_from.read_text() == inputs.hexdigest():
        return
    whole = static / "site.whole.css"
    whole.write_text("\n".join(_inline(outdir / sheet, static) for sheet in sheets), encoding="utf-8")
    try:
        subprocess.run(["node", str(PURGE), str(outdir), str(whole), str(bundle), *UNLOADED_SCRIPTS], check=True)
    finally:
        whole.unlink()
    bundle.write_text(_cut_fonts(bundle.read_text(encoding="utf-8"), outdir, pages), encoding="utf-8")
    made_from.write_text(inputs.hexdigest())


def _depend_on_what_makes_the_pages(app, docname, source):
    """Every page is written again when a file that shapes it changes: the static files (a changed
    stylesheet alone makes Sphinx rebuild nothing, not even copy it), the book's extensions, and
    the figures' script, style and skeleton (_ext/figures.py writes them from the package)."""
    root = Path(app.srcdir).resolve()
    # The book's own static folders; sphinxcontrib-katex adds a temporary one, gone after the build.
    static = [(root / folder).resolve() for folder in app.config.html_static_path]
    folders = [folder for folder in static if folder.is_relative_to(root)] + [HERE, ROOT / "widgets" / "static"]
    for folder in folders:
        for path in folder.rglob("*"):
            if path.is_file() and "__pycache__" not in path.parts:
                app.env.note_dependency(str(path))
    for module in ("page.py", "formats.py", "theme.py"):
        app.env.note_dependency(str(ROOT / "widgets" / module))


def setup(app):
    app.connect("source-read", _depend_on_what_makes_the_pages)
    app.connect("html-page-context", _page_stylesheets)
    app.connect("build-finished", _bundle, priority=900)  # after lean_pages has copied KaTeX's stylesheet
    return {"parallel_read_safe": True, "parallel_write_safe": True}
