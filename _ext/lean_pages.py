"""Pages that paint early, describe themselves and have unique ids.

- No script is asked for before the page has painted its text: under a slow network every byte that
  arrives before the first paint delays it, and a script's bytes share the bandwidth the page's
  stylesheet needs. Every external script a page lists (Sphinx's, the extensions', the figures'
  two from ``_ext/figures.py``, and the theme's two at the end of the page, which
  ``_templates/layout.html`` then leaves out) is loaded by one inline script at the end of the
  page, once the first contentful paint is done (the browser's paint timing says when), all at once
  and run in the page's order (``async = false``). The theme's light/dark switch, the one script that must
  run first, is inline in its template; so are the few lines that set variables the scripts read.
  The two inline lines that set ``DOCUMENTATION_OPTIONS`` fields must run after
  ``documentation_options.js`` defines it: they come in the same list, as ``data:`` URLs.
- Scripts the first view of a page does not need come later still, once the page has loaded (its
  ``load`` event) and the others have been asked for: the copy buttons' two and the highlighting
  of search terms (neither changes the page's layout).
- The search page (its search tools need Sphinx's scripts first) and the index (a page with no text
  of its own to add the loader to) keep their scripts in ``<head>``, every one deferred, and the
  inline lines that use ``DOCUMENTATION_OPTIONS`` run on DOMContentLoaded, once those have.
- Scripts for what the book does not use are dropped: Thebe's (no live-code button is configured)
  and sphinx-design's tabs (on pages without tabs).
- A question's style is inlined in every notebook output that needs it, so that each output works
  alone in Jupyter (it is plain HTML, with no script); on a page of the site the first copy serves
  them all.
- KaTeX's MathML (what screen readers read) loses what no reader uses: the ``xmlns`` attribute
  (an HTML parser puts <math> in MathML's namespace anyway) and the TeX source kept beside it in
  ``<semantics><annotation>`` (for a copy-as-TeX script the book does not load), with the
  ``<semantics>`` and ``<mrow>`` that then wrap the whole for nothing: 16 KB of chapter 4.
- KaTeX's HTML (what readers see) is made lighter, and looks the same:

  - it labels every atom with a class for its own use (``mord``, ``mbin``, ``mtight``...: 4,000 in
    chapter 5) that no rule of any stylesheet of the site names: those class names are dropped;
  - it sets sizes and spaces in inline styles, a hundred or so different ones repeated on thousands
    of spans (``style="margin-right:0.2778em;"``: chapter 5 has 2,200, 67 KB). Each becomes a class
    of a stylesheet in the page's ``<head>`` (``class="k0"``, with
    ``.k0{margin-right:.2778em!important}``: ``!important`` keeps the precedence an inline style
    has over every other rule).

  Only the math in a page's text and its table of contents is rewritten; any elsewhere (a title
  with math, in the navigation) keeps KaTeX's output as it is, which looks the same.
- Each page gets a ``<meta name="description">``: the first paragraph of its text, shortened.
- The site's icon (``html_favicon``, an SVG of 0.3 KB) is written into each page as a ``data:``
  URL: a browser asks for a page's icon once the page has loaded, which, with no script to wait
  for, comes before its first paint, and that request would share the bandwidth the first paint
  needs (in Lighthouse's simulated slow 4G, 150 to 300 ms of largest contentful paint).
- sphinx-exercise gives every exercise the id ``exercise-content`` and every solution the id
  ``solution-content``, so a page with two exercises has duplicate ids; nothing links to them, so
  they are dropped.
- myst-nb's "Show code cell source" toggles carry ``aria-label="Toggle hidden content"``, a name that
  differs from the words a reader sees (and a voice-control user would say): the label is dropped,
  so the visible words name the toggle.
- KaTeX's stylesheet and web fonts (the math itself is rendered at build time by
  sphinxcontrib-katex) are copied from ``node_modules/katex`` (package.json pins the version that
  sphinxcontrib-katex renders with) into ``_static/katex/``: WOFF2 only, which every browser the
  theme supports reads.
- sphinxcontrib-katex's render server is connected to as soon as its socket file exists, which is
  a moment before node listens on it: on a busy machine the build then fails with "Connection
  refused". The connection is retried until the server's own start-up timeout.
"""

import base64
import collections
import functools
import html
import json
import re
import shutil
import socket
import subprocess
import time
from pathlib import Path
from urllib.parse import quote

from docutils import nodes

KATEX = Path(__file__).resolve().parent.parent / "node_modules" / "katex" / "dist"
SHARED_IDS = {"exercise-content", "solution-content"}
DESCRIPTION_LENGTH = 155
INLINE_STYLE = re.compile(r"<style>.*?</style>", re.DOTALL)
MATHML_NAMESPACE = ' xmlns="http://www.w3.org/1998/Math/MathML"'
#: KaTeX's MathML: <math><semantics>(one element)<annotation>TeX</annotation></semantics></math>.
#: Without the annotation, <semantics> has one child; if that is an <mrow>, it adds nothing either
#: (<math> is one already).
TEX_SOURCE = re.compile(
    r'<semantics>(?:<mrow>(.*?)</mrow>|(.*?))<annotation encoding="application/x-tex">.*?</annotation></semantics>',
    re.DOTALL,
)
KATEX_HTML = re.compile(r'<span class="katex-html" aria-hidden="true">')
SPAN = re.compile(r"<span\b|</span>")
SPAN_TAG = re.compile(r'<span((?: [\w-]+="[^"]*")*)>')
ATTRIBUTE = re.compile(r' ([\w-]+)="([^"]*)"')
DECLARATIONS = re.compile(r"\{[^{}]*\}")
CLASS_SELECTOR = re.compile(r"\.(-?[_a-zA-Z][\w-]*)")
CLASS_ATTRIBUTE = re.compile(r"""\[class[~|^$*]?=["']?([^"'\]]+)""")
LEADING_ZERO = re.compile(r"(?<![\d.])0\.(?=\d)")
AFTER_LOAD = ("_static/clipboard.min.js", "_static/copybutton.js", "_static/sphinx_highlight.js")
SCRIPT_SOURCE = re.compile(r'src="([^"]+)"')
#: Loads `after_paint` once the page's first contentful paint is done (its entry is in the
#: browser's paint timing; where there is none, once two animation frames have passed), then
#: `after_load` once the page has loaded too; each list runs in its order, and the second after the
#: first (dynamic scripts with async = false run in the order they were added).
LOADER = """<script>(() => {{
  const add = src => {{ const s = document.createElement("script"); s.src = src; s.async = false; document.body.append(s); }};
  const painted = new Promise(done => {{
    if (!window.PerformanceObserver?.supportedEntryTypes?.includes("paint")) return requestAnimationFrame(() => requestAnimationFrame(done));
    new PerformanceObserver((entries, observer) => {{
      if (entries.getEntriesByName("first-contentful-paint").length) {{ observer.disconnect(); done(); }}
    }}).observe({{type: "paint", buffered: true}});
  }});
  const loaded = new Promise(done => document.readyState === "complete" ? done() : addEventListener("load", done));
  painted.then(() => {{ for (const src of {after_paint}) add(src); }});
  Promise.all([painted, loaded]).then(() => {{ for (const src of {after_load}) add(src); }});
}})();</script>"""


@functools.cache
def _theme_scripts(app):
    """The scripts the theme writes at the end of every page (its body_post macro): [(path, query)]."""
    for folder in app.builder.theme.get_theme_dirs():
        macros = Path(folder) / "static" / "webpack-macros.html"
        if macros.is_file():
            body_post = macros.read_text().split("macro body_post()")[1].split("{% endmacro %}")[0]
            return re.findall(r"""pathto\('(_static/[^']+\.js)', 1\) }}([^"]*)""", body_post)
    return []


def _one_copy_of_each_style(app, pagename, templatename, context, doctree):
    if "body" not in context:
        return
    seen = set()

    def first(match):
        if match.group(0) in seen:
            return ""
        seen.add(match.group(0))
        return match.group(0)

    context["body"] = INLINE_STYLE.sub(first, context["body"])


def _katex_html(text):
    """Where KaTeX's HTML renderings are in `text`: (start, end) of each one's outer span."""
    for match in KATEX_HTML.finditer(text):
        depth = 0
        for tag in SPAN.finditer(text, match.start()):
            depth += -1 if tag.group(0) == "</span>" else 1
            if depth == 0:
                yield match.start(), tag.end()
                break


@functools.cache
def _classes_with_rules(app):
    """The class names the rules of the site's stylesheets name (those under _static/: the theme's,
    Sphinx's, the extensions'; and KaTeX's), and the parts of class names they match
    (``[class*="highlight-"]``): (names, parts)."""
    sheets = [*Path(app.outdir, "_static").rglob("*.css"), KATEX / "katex.min.css"]
    selectors = "\n".join(DECLARATIONS.sub("", sheet.read_text(encoding="utf-8")) for sheet in sheets)
    return frozenset(CLASS_SELECTOR.findall(selectors)), frozenset(CLASS_ATTRIBUTE.findall(selectors))


def _lean_katex_html(texts, named):
    """`texts` with KaTeX's HTML lighter (the class names no rule names dropped: `named`, from
    _classes_with_rules; the inline styles as classes), and the stylesheet of those classes:
    (texts, stylesheet). The commonest style gets the shortest name."""
    named_classes, named_parts = named
    kept = functools.cache(lambda name: name in named_classes or any(part in name for part in named_parts))
    counts = collections.Counter(
        style
        for text in texts
        for start, end in _katex_html(text)
        for attributes in SPAN_TAG.findall(text, start, end)
        for name, style in ATTRIBUTE.findall(attributes)
        if name == "style"
    )
    style_classes = {
        style: f"k{i}" for i, (style, _) in enumerate(sorted(counts.items(), key=lambda item: (-item[1], item[0])))
    }

    def lean(match):
        attributes = dict(ATTRIBUTE.findall(match.group(1)))
        classes = [name for name in attributes.pop("class", "").split() if kept(name)]
        if "style" in attributes:
            classes.append(style_classes[attributes.pop("style")])
        if classes:
            attributes = {"class": " ".join(classes), **attributes}
        return "<span" + "".join(f' {name}="{value}"' for name, value in attributes.items()) + ">"

    def rewritten(text):
        parts, position = [], 0
        for start, end in _katex_html(text):
            parts += [text[position:start], SPAN_TAG.sub(lean, text[start:end])]
            position = end
        return "".join(parts) + text[position:]

    rules = "".join(
        f".{name}{{"
        + ";".join(LEADING_ZERO.sub(".", d.strip()) + "!important" for d in style.split(";") if d.strip())
        + "}"
        for style, name in style_classes.items()
    )
    return [rewritten(text) for text in texts], rules


def _lean_math(app, pagename, templatename, context, doctree):
    keys = [key for key in ("body", "toc") if key in context]
    texts = [TEX_SOURCE.sub(r"\1\2", context[key].replace(MATHML_NAMESPACE, "")) for key in keys]
    texts, rules = _lean_katex_html(texts, _classes_with_rules(app))
    context.update(zip(keys, texts))
    if rules:
        context["metatags"] = context.get("metatags", "") + f"\n<style>{rules}</style>"


def _load_after_the_paint(app, pagename, templatename, context, doctree):
    thebe = (app.config.html_theme_options.get("launch_buttons") or {}).get("thebe")
    tabs = "sd-tab-set" in context.get("body", "")
    # The search page, and pages with no text of their own (the index), keep their scripts in <head>.
    later = pagename != "search" and "body" in context
    kept, after_paint, after_load = [], [], []
    for script in sorted(context.get("script_files") or [], key=lambda script: script.priority):
        filename = str(getattr(script, "filename", "") or "")
        attributes = getattr(script, "attributes", {})
        body = attributes.get("body", "")
        if (filename.endswith("sphinx-thebe.js") or "THEBE_JS_URL" in body) and not thebe:
            continue
        if filename.endswith("design-tabs.js") and not tabs:
            continue
        if not later:
            if filename and "async" not in attributes:
                attributes["defer"] = "defer"
            elif "DOCUMENTATION_OPTIONS" in body and "DOMContentLoaded" not in body:
                attributes["body"] = f'document.addEventListener("DOMContentLoaded", () => {{ {body} }});'
            kept.append(script)
        elif filename in AFTER_LOAD:
            after_load.append(context["pathto"](filename, 1))
        elif filename:  # its URL as Sphinx writes it, with ?v=<checksum>
            after_paint.append(html.unescape(SCRIPT_SOURCE.search(context["js_tag"](script)).group(1)))
        elif "DOCUMENTATION_OPTIONS" in body:
            after_paint.append("data:text/javascript," + quote(body, safe=""))
        else:
            kept.append(script)
    context["script_files"] = kept
    if later:
        after_paint += [context["pathto"](path, 1) + query for path, query in _theme_scripts(app)]
        context["scripts_after_paint"] = True  # _templates/layout.html leaves out the theme's
        context["body"] += LOADER.format(after_paint=json.dumps(after_paint), after_load=json.dumps(after_load))


def _icon_in_the_page(app, pagename, templatename, context, doctree):
    icon = app.config.html_favicon
    if icon and icon.endswith(".svg") and "://" not in icon:
        svg = Path(app.srcdir, icon).read_bytes()
        context["favicon_url"] = "data:image/svg+xml;base64," + base64.b64encode(svg).decode()


def _name_toggles_by_their_words(app, pagename, templatename, context, doctree):
    if "body" in context:
        context["body"] = context["body"].replace('<summary aria-label="Toggle hidden content">', "<summary>")


def _describe(app, pagename, templatename, context, doctree):
    if doctree is None or 'name="description"' in context.get("metatags", ""):
        return
    for paragraph in doctree.findall(nodes.paragraph):
        text = re.sub(r"\s+", " ", paragraph.astext()).strip()
        if len(text) >= 40:
            break
    else:
        text = context.get("title", "") and re.sub(r"<[^>]+>", "", context["title"])
    if len(text) > DESCRIPTION_LENGTH:
        text = text[: DESCRIPTION_LENGTH - 1].rsplit(" ", 1)[0].rstrip(",;:") + "…"
    escaped = text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;").replace(">", "&gt;")
    context["metatags"] = context.get("metatags", "") + f'\n<meta name="description" content="{escaped}" />'


def _drop_shared_ids(app, doctree, docname):
    for section in doctree.findall(nodes.section):
        if set(section["ids"]) & SHARED_IDS:
            section["ids"] = [i for i in section["ids"] if i not in SHARED_IDS]


def _copy_katex(app, exception):
    if exception is not None or app.builder.format != "html":
        return
    if not KATEX.is_dir():
        raise FileNotFoundError(f"{KATEX} is missing: run `bash scripts/setup` (npm ci)")
    target = Path(app.outdir) / "_static" / "katex"
    (target / "fonts").mkdir(parents=True, exist_ok=True)
    shutil.copy2(KATEX / "katex.min.css", target / "katex.min.css")
    for font in (KATEX / "fonts").glob("*.woff2"):
        shutil.copy2(font, target / "fonts" / font.name)


def _start_katex_server(cls, rundir, timeout):
    """sphinxcontrib.katex.KaTeXServer.start_server_process, retrying a refused connection."""
    socket_path = rundir / "katex.sock"
    process = subprocess.Popen(
        cls.build_command(socket=socket_path), stdin=subprocess.PIPE, stdout=subprocess.PIPE, cwd=rundir
    )
    deadline = time.monotonic() + timeout
    while True:
        if socket_path.is_socket():
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                sock.connect(str(socket_path))
                return process, sock
            except ConnectionRefusedError:  # bound, not listening yet
                sock.close()
        if time.monotonic() > deadline:
            process.kill()
            raise cls.timeout_error(timeout)
        time.sleep(0.005)


def setup(app):
    from sphinxcontrib.katex import KaTeXServer

    KaTeXServer.start_server_process = classmethod(_start_katex_server)

    app.connect("html-page-context", _load_after_the_paint, priority=960)
    app.connect("html-page-context", _describe)
    app.connect("html-page-context", _icon_in_the_page)
    app.connect("html-page-context", _one_copy_of_each_style)
    app.connect("html-page-context", _lean_math)
    app.connect("html-page-context", _name_toggles_by_their_words)
    app.connect("doctree-resolved", _drop_shared_ids)
    app.connect("build-finished", _copy_katex)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
