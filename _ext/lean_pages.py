"""Pages that paint early, describe themselves and have unique ids.

- Every external script a page lists is deferred: none of them draws anything before the first paint
  (the theme's light/dark switch, the one script that must run first, is inline in its template).
  The few inline scripts that use what ``documentation_options.js`` defines run once the deferred
  scripts have (on DOMContentLoaded); the others only set variables, and stay as they are.
- Scripts the first view of a page does not need load once the page has (its ``load`` event), so
  that they do not take bandwidth from what the first paint waits for: the copy buttons' two and
  the highlighting of search terms (neither changes the page's layout). One line of script at the
  end of the page loads them, in order. The search page keeps Sphinx's scripts as they are (its
  search tools need them first).
- Scripts for what the book does not use are dropped: Thebe's (no live-code button is configured)
  and sphinx-design's tabs (on pages without tabs).
- A question's style is inlined in every notebook output that needs it, so that each output works
  alone in Jupyter (it is plain HTML, with no script); on a page of the site the first copy serves
  them all.
- KaTeX's MathML (what screen readers read) loses what no reader uses: the ``xmlns`` attribute
  (an HTML parser puts <math> in MathML's namespace anyway) and the TeX source kept beside it in
  ``<semantics><annotation>`` (for a copy-as-TeX script the book does not load): 15 KB of chapter 4.
- Each page gets a ``<meta name="description">``: the first paragraph of its text, shortened.
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

import json
import re
import shutil
import socket
import subprocess
import time
from pathlib import Path

from docutils import nodes

KATEX = Path(__file__).resolve().parent.parent / "node_modules" / "katex" / "dist"
SHARED_IDS = {"exercise-content", "solution-content"}
DESCRIPTION_LENGTH = 155
INLINE_STYLE = re.compile(r"<style>.*?</style>", re.DOTALL)
MATHML_NAMESPACE = ' xmlns="http://www.w3.org/1998/Math/MathML"'
TEX_SOURCE = re.compile(
    r'<semantics>(.*?)<annotation encoding="application/x-tex">.*?</annotation></semantics>', re.DOTALL
)
AFTER_LOAD = ("_static/clipboard.min.js", "_static/copybutton.js", "_static/sphinx_highlight.js")
LOADER = (
    "<script>(() => {{ const load = () => {{ for (const src of {sources}) "
    '{{ const s = document.createElement("script"); s.src = src; s.async = false; document.body.append(s); }} }}; '
    'document.readyState === "complete" ? load() : addEventListener("load", load); }})();</script>'
)


def _defer_scripts(app, pagename, templatename, context, doctree):
    for script in context.get("script_files") or []:
        attributes = getattr(script, "attributes", None)
        if attributes is None:
            continue
        if script.filename:
            if "async" not in attributes and "defer" not in attributes:
                attributes["defer"] = "defer"
        else:
            body = attributes.get("body", "")
            if "DOCUMENTATION_OPTIONS" in body and "DOMContentLoaded" not in body:
                attributes["body"] = f'document.addEventListener("DOMContentLoaded", () => {{ {body} }});'


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


def _lean_mathml(app, pagename, templatename, context, doctree):
    for key in ("body", "toc"):
        if key in context:
            context[key] = TEX_SOURCE.sub(r"\1", context[key].replace(MATHML_NAMESPACE, ""))


def _load_after_the_page(app, pagename, templatename, context, doctree):
    thebe = (app.config.html_theme_options.get("launch_buttons") or {}).get("thebe")
    tabs = "sd-tab-set" in context.get("body", "")
    kept, later = [], []
    for script in context.get("script_files") or []:
        filename = str(getattr(script, "filename", "") or "")
        body = getattr(script, "attributes", {}).get("body", "")
        if (filename.endswith("sphinx-thebe.js") or "THEBE_JS_URL" in body) and not thebe:
            continue
        if filename.endswith("design-tabs.js") and not tabs:
            continue
        if filename in AFTER_LOAD and pagename != "search":
            later.append(context["pathto"](filename, 1))
        else:
            kept.append(script)
    context["script_files"] = kept
    if later and "body" in context:
        context["body"] += LOADER.format(sources=json.dumps(later))


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

    app.connect("html-page-context", _defer_scripts, priority=950)
    app.connect("html-page-context", _load_after_the_page, priority=960)
    app.connect("html-page-context", _describe)
    app.connect("html-page-context", _one_copy_of_each_style)
    app.connect("html-page-context", _lean_mathml)
    app.connect("html-page-context", _name_toggles_by_their_words)
    app.connect("doctree-resolved", _drop_shared_ids)
    app.connect("build-finished", _copy_katex)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
