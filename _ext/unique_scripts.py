"""Drop repeated <script> entries from every page.

Sphinx 7 lists an inline script added with ``app.add_js_file(None, body=...)`` twice in a page's
``script_files``: once with filename None and once with filename "". sphinx-thebe adds ``const THEBE_JS_URL = ...`` that way, so every page of a stock
Jupyter Book 1.0.4 site throws "Identifier 'THEBE_JS_URL' has already been declared". Fixed in
Sphinx 8.2.2 (sphinx-doc/sphinx#13402), which Jupyter Book 1.x's ``sphinx~=7.0`` cannot take.
"""


def _drop_repeated_scripts(app, pagename, templatename, context, doctree):
    scripts = context.get("script_files")
    if not scripts:
        return
    seen = set()
    unique = []
    for script in scripts:
        attributes = getattr(script, "attributes", {})
        filename = getattr(script, "filename", script) or ""  # None and "" are the same inline script
        key = (str(filename), getattr(script, "priority", 500), tuple(sorted(attributes.items())))
        if key not in seen:
            seen.add(key)
            unique.append(script)
    context["script_files"] = unique


def setup(app):
    # Late priority: after every other handler has added its scripts for this page.
    app.connect("html-page-context", _drop_repeated_scripts, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
