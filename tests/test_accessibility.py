"""Every page of the site, audited as a reader meets it, offline: no script error and nothing fetched
from elsewhere; axe-core, and the figures' and questions' colours, in light and dark; and each
page's weight, first-paint bytes, layout shift and render-blocking scripts (the measures Lighthouse
scores, taken here in bytes, which do not depend on the machine: benchmarks/lighthouse.py times them).

axe-core is the npm package pinned in package.json (`bash scripts/setup` installs it); its script is
injected from node_modules, never fetched.
"""

import base64
import re

import pytest

from tests.conftest import ROOT, new_context
from tests.test_site import PAGES, TOC
from widgets import theme

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHAPTER_4 = "chapters/04-the-chain-rule.html"
#: Each page of the book (_toc.yml): (its weight with all its figures, what its first paint waits
#: for: the page and its stylesheet, with the fonts in it), in KiB, uncompressed (a plain static
#: server sends no gzip). About 10 % above what the build makes now (benchmarks/README.md); under
#: Lighthouse's simulated slow 4G (about 200 KiB a second) first paint is set by the second number.
BUDGETS = {
    "intro.html": (330, 185),
    "chapters/01-what-is-autograd.html": (420, 240),
    "chapters/02-a-derivative-by-hand.html": (445, 295),
    "chapters/03-gradients-with-autograd.html": (470, 265),
    "chapters/04-the-chain-rule.html": (615, 365),
    "chapters/05-a-neuron-by-hand.html": (775, 445),
    "chapters/06-a-neuron-with-autograd.html": (725, 365),
    "chapters/07-the-gradient-of-a-mean.html": (545, 340),
    "chapters/08-clearing-gradients.html": (505, 310),
    "chapters/09-turning-tracking-off.html": (495, 290),
    "chapters/10-training-the-neuron.html": (720, 355),
    "chapters/11-vectors-in-vectors-out.html": (680, 380),
    "chapters/12-a-backward-of-your-own.html": (710, 450),
    "chapters/13-watching-and-changing-gradients.html": (540, 320),
    "chapters/14-derivatives-of-derivatives.html": (665, 405),
    "chapters/15-an-autograd-of-your-own.html": (565, 345),
    "status.html": (330, 180),
}
#: True once every figure of the page has been drawn by its script.
FIGURES_DRAWN = "() => [...document.querySelectorAll('.agi-figure')].every(f => f.dataset.ready === 'true')"
#: True once the scripts a page loads after its load event (lean_pages: the copy buttons') have come.
LATE_SCRIPTS_LOADED = (
    "() => document.readyState === 'complete' && performance.getEntriesByType('resource')"
    ".filter(e => /copybutton|clipboard/.test(e.name) && e.responseEnd > 0).length === 2"
)
#: True once every script the page has asked for has come: those its loader asks for after the first
#: paint are asked for before the late ones (lean_pages), so they are all in the page by then.
SCRIPTS_LOADED = (
    f"() => ({LATE_SCRIPTS_LOADED})() && [...document.scripts].every(s => !s.src || s.src.startsWith('data:')"
    " || performance.getEntriesByName(s.src).some(e => e.responseEnd > 0))"
)
#: Resolves once every CSS transition and animation running on the page has finished.
ANIMATIONS_DONE = (
    "() => Promise.all(document.getAnimations()"
    ".filter(a => a.effect.getComputedTiming().endTime !== Infinity).map(a => a.finished))"
)
#: Resolves once the page has drawn what was done before it: two animation frames, whatever the pace.
RENDERED = "() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))"


def luminance(colour):
    """Relative luminance (0 black, 1 white) of a CSS rgb()/rgba() colour."""
    return theme.luminance(*(int(c) for c in re.findall(r"[\d.]+", colour)[:3]))


#: Each figure's and question's text, axes, readout, controls and graph boxes: [where, colour].
INKS = """() => {
    const ink = [];
    const visible = el => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden';
    for (const fig of document.querySelectorAll('.agi-figure, fieldset.agi-question')) {
        const where = fig.getAttribute('aria-label') || fig.className;
        for (const el of fig.querySelectorAll('svg text, .agi-readout, .agi-controls label, .agi-note, legend, label, p'))
            if (visible(el) && el.textContent.trim())
                ink.push([where + ' ' + el.tagName + ' ' + el.textContent.trim().slice(0, 30),
                          el.tagName.toLowerCase() === 'text' ? getComputedStyle(el).fill : getComputedStyle(el).color]);
        for (const el of fig.querySelectorAll('.agi-background path[stroke], .agi-background line'))
            if (visible(el) && getComputedStyle(el).stroke !== 'none')
                ink.push([where + ' axis', getComputedStyle(el).stroke]);
    }
    return ink;
}"""


def assert_figures_in_the_readers_theme(page, scheme):
    """Every figure and predict question in colours of the reader's theme: dark ink on the light
    page and light ink on the dark one, each far from the page's own background (axe does not look
    inside SVG)."""
    background = luminance(page.evaluate("() => getComputedStyle(document.body).backgroundColor"))
    assert (background > 0.8) if scheme == "light" else (background < 0.05)
    inks = page.evaluate(INKS)
    wrong = [(what, c) for what, c in inks if not c.startswith("rgb") or abs(luminance(c) - background) < 0.3]
    assert wrong == [], f"{len(wrong)} of {len(inks)} marks are hard to see in the {scheme} theme"
    return inks


#: The rules whose verdict depends on the page's colours: all that changes from light to dark.
COLOUR_RULES = ["color-contrast", "link-in-text-block"]


def axe(page, rules=None):
    """axe-core's violations on the page (of `rules`, or of every rule)."""
    if not AXE.is_file():
        pytest.fail(f"{AXE} is missing: run `bash scripts/setup`")
    if not page.evaluate("() => 'axe' in window"):
        page.add_script_tag(path=str(AXE))
    return page.evaluate(
        """async rules => (await axe.run(document, {resultTypes: ['violations'],
                                                   ...(rules ? {runOnly: {type: 'rule', values: rules}} : {})})).violations""",
        rules,
    )


def describe(violations):
    return "\n".join(
        f"{v['impact']} {v['id']}: {v['help']}\n"
        + "\n".join(f"    {n['target']} {n['failureSummary'][:200]}" for n in v["nodes"][:5])
        for v in violations
    )


@pytest.mark.parametrize("path", [*BUDGETS, "search.html?q=gradient", "genindex.html"])
def test_each_page_is_light_stable_and_accessible_in_light_and_dark(build, open_page, path):
    """One load of the page by a reader whose system is set to light: within its budgets of bytes,
    with no layout shift and no script before its first paint (each page of the book); then, as
    drawn, no serious or critical axe violation and figures in the theme's colours, in light and
    again switched to dark (the theme follows the system until the reader chooses)."""
    opened = open_page(path, color_scheme="light")
    page = opened.page
    if path in BUDGETS:
        assert_light_stable_and_painting_before_its_scripts(opened, build, path)
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        page.wait_for_function("scheme => document.documentElement.dataset.theme === scheme", arg=scheme)
        # Audit the page as drawn: figures drawn by their script, fonts loaded, and every
        # exercise's hint and solution open, so what they hide is audited too.
        page.wait_for_function(FIGURES_DRAWN)
        page.evaluate("""async () => {
            document.querySelectorAll('details').forEach(d => d.open = true);
            await document.fonts.ready;
        }""")
        page.evaluate(RENDERED)
        page.evaluate(ANIMATIONS_DONE)  # what opened fades in, the colours that change: audited once done
        # Every rule in light; in dark, those a theme's colours decide (the rest saw the same page).
        violations = [
            v for v in axe(page, COLOUR_RULES if scheme == "dark" else None) if v["impact"] in ("serious", "critical")
        ]
        assert violations == [], f"{scheme}: {describe(violations)}"
        inks = assert_figures_in_the_readers_theme(page, scheme)
        if page.locator(".agi-figure, fieldset.agi-question").count():
            assert inks, "no figure text found"
        opened.screenshot(f"{path.replace('/', '-').split('.html')[0]}-{scheme}", full_page=False)
    assert opened.errors == [], "JavaScript errors on the page"
    assert opened.failed == [], "requests for the site's own files failed"
    assert opened.blocked == [], "the page asked for something that is not on the site"


@pytest.mark.parametrize("path", PAGES)
def test_every_page_describes_itself_and_has_an_icon(build, path):
    html = (build.html / path).read_text()
    refresh = re.search(r'http-equiv="Refresh" content="0; url=([^"]+)"', html, re.I)
    if refresh:  # the site's index.html only sends the reader on to the landing page
        path = refresh.group(1)
        html = (build.html / path).read_text()
    description = re.search(r'<meta name="description" content="([^"]+)"', html)
    assert description and len(description.group(1)) >= 40, "no meta description"
    # The site's icon, written into the page (lean_pages): no request for it.
    icon = re.search(r'<link rel="icon" href="data:image/svg\+xml;base64,([^"]+)"', html)
    assert icon and base64.b64decode(icon.group(1)) == (ROOT / "_static" / "favicon.svg").read_bytes()


def test_every_page_of_the_book_has_a_budget():
    # index.html only sends the reader on to the landing page, the root of _toc.yml.
    assert sorted(BUDGETS) == sorted(f"{TOC['root']}.html" if path == "index.html" else path for path in PAGES)


def assert_light_stable_and_painting_before_its_scripts(opened, build, path):
    """The page's weight once everything it asks for has come and a reader has scrolled through it,
    what its first paint waits for (the page and one stylesheet, nothing else), its layout shift,
    and its scripts asked for only after the first paint."""
    weight_budget, first_paint_budget = BUDGETS[path]
    page = opened.page
    # Everything the page loads, loaded (its figures drawn, its fonts, the scripts it asks for after
    # its first paint and after its load event); then scrolled through, a screen at a time, each
    # drawn before the next, so that anything loaded on demand is loaded and any late shift is seen.
    page.wait_for_function(FIGURES_DRAWN)
    page.wait_for_function(SCRIPTS_LOADED)
    page.evaluate("""async () => {
        await document.fonts.ready;
        const frames = () => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
        for (let y = 0; y < document.body.scrollHeight; y += 600) { window.scrollTo(0, y); await frames(); }
        window.scrollTo(0, 0); await frames();
    }""")
    measures = page.evaluate("""() => {
        // Every layout shift of the page so far, from the buffer (each is recorded as its frame renders).
        const observer = new PerformanceObserver(() => {});
        observer.observe({type: 'layout-shift', buffered: true});
        const shifts = observer.takeRecords().filter(e => !e.hadRecentInput);
        observer.disconnect();
        const nav = performance.getEntriesByType('navigation')[0];
        const resources = performance.getEntriesByType('resource').map(e => ({
            name: e.name, start: e.startTime, bytes: e.decodedBodySize }));
        return {
            cls: shifts.reduce((sum, e) => sum + e.value, 0),
            page: nav.decodedBodySize, loaded: nav.loadEventStart, resources,
            blocking: [...document.head.querySelectorAll('script[src]')]
                .filter(s => !s.defer && !s.async && s.type !== 'module').map(s => s.src),
            sheets: [...document.querySelectorAll('link[rel=stylesheet]')].map(l => l.href),
            preloads: [...document.querySelectorAll('link[rel=preload]')].map(l => l.href),
            scripts: [...document.scripts].filter(s => s.src).map(s => s.src),
            math: document.querySelectorAll('.katex').length,
        };
    }""")
    resources = measures["resources"]
    assert opened.errors == [] and opened.failed == []
    weight = measures["page"] + sum(r["bytes"] for r in resources)
    assert weight <= weight_budget * 1024, f"{weight / 1024:.0f} KiB"
    assert measures["cls"] < 0.05, f"cumulative layout shift {measures['cls']:.3f}"
    assert measures["blocking"] == [], "scripts that hold up the first paint"
    urls = [r["name"] for r in resources]
    assert not [u for u in urls if re.search(r"fontawesome\.js|mathjax|katex(\.min)?\.js", u, re.I)]

    # The first paint waits for the page and its one stylesheet (with the fonts it uses in it).
    assert [s.split("/")[-1] for s in measures["sheets"]] == ["site.css"], "one stylesheet"
    early = [r for r in resources if r["name"] in measures["sheets"] + measures["preloads"]]
    first_paint = measures["page"] + sum(r["bytes"] for r in early)
    assert first_paint <= first_paint_budget * 1024, f"{first_paint / 1024:.0f} KiB before the first paint"
    # The fonts it needs come in the stylesheet, cut to what the site shows; any other is small too.
    families = ["KaTeX_Main", "KaTeX_Math", "Font Awesome 6 Free"] if measures["math"] else ["Font Awesome 6 Free"]
    assert page.evaluate(
        """families => families.every(family =>
        [...document.fonts].some(f => f.family.replaceAll('"', '') === family && f.status === 'loaded'))""",
        families,
    )
    fonts = {r["name"].split("/")[-1]: r["bytes"] for r in resources if r["name"].endswith(".woff2")}
    assert all(size < 12 * 1024 for size in fonts.values()), fonts

    # No script is in the page's HTML: its loader asks for them once the first paint is done (the
    # figures' drawings and data among them: the page keeps each figure's text and size), and for
    # the copy buttons' once the page has loaded too: none shares the bandwidth the first paint needs.
    html = (build.html / path).read_text()
    assert re.findall(r"<script[^>]*\ssrc=", html) == [], "a script the page asks for before its first paint"
    later = [r for r in resources if re.search(r"copybutton|clipboard", r["name"])]
    assert len(later) == 2 and all(r["start"] >= measures["loaded"] for r in later), later
    figures = [s for s in measures["scripts"] if "figure" in s]
    assert len(figures) == (2 if page.locator(".agi-figure").count() else 0), figures
    # The icons the theme's header draws still show, from its web font.
    assert page.evaluate("() => document.fonts.check('900 16px \"Font Awesome 6 Free\"')")
    icon = page.locator(".theme-switch-button i.theme-switch:visible")
    assert icon.count() == 1
    assert icon.evaluate("el => getComputedStyle(el, '::before').content") not in ("none", "normal", '""')


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_first_paint_is_already_in_the_readers_theme(browser, site, scheme):
    # The theme's own script also sets light or dark, but it is asked for only after the first
    # paint: with it blocked, the page's first inline script must already have set the theme.
    context = new_context(browser, color_scheme=scheme)
    page = context.new_page()
    page.route("**/*", lambda r: r.abort() if "pydata-sphinx-theme.js" in r.request.url else r.continue_())
    page.goto(site + CHAPTER_4, wait_until="load")
    assert page.evaluate("() => document.documentElement.dataset.theme") == scheme
    red, green, blue = map(
        int, re.findall(r"\d+", page.evaluate("() => getComputedStyle(document.body).backgroundColor"))
    )
    assert (red + green + blue < 150) == (scheme == "dark"), (red, green, blue)
    context.close()


def test_without_javascript_the_page_has_the_light_themes_colours(open_page):
    # The theme colours a page only once data-theme says light or dark; without JavaScript, the
    # page's own attribute must (default_mode in _config.yml), or links look like the text.
    page = open_page(CHAPTER_4, java_script_enabled=False).page
    assert page.evaluate("() => document.documentElement.dataset.theme") == "light"
    link, text = page.evaluate(
        "() => [getComputedStyle(document.querySelector('article p a')).color, getComputedStyle(document.body).color]"
    )
    assert link != text, (link, text)
