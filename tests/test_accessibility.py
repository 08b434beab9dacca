"""Every page of the site, audited as a reader meets it, offline: no script error and nothing fetched
from elsewhere; axe-core, and the figures' and questions' colours, in light and dark; and chapter
4's weight, layout shift and render-blocking scripts (the measures Lighthouse scores, taken here).

axe-core is the npm package pinned in package.json (`bash scripts/setup` installs it); its script is
injected from node_modules, never fetched.
"""

import re

import pytest

from tests.conftest import ROOT, new_context
from tests.test_site import PAGES

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHAPTER_4 = "chapters/04-the-chain-rule.html"
#: Chapter 4 with all its figures, uncompressed (a plain static server sends no gzip).
BUDGET_BYTES = 1500 * 1024
#: What chapter 4's first paint waits for: the page and its stylesheet (with three small fonts in it).
#: Lighthouse's simulated slow 4G moves about 200 KiB a second (benchmarks/README.md).
FIRST_PAINT_BYTES = 360 * 1024
#: True once every figure of the page has been drawn by its script.
FIGURES_DRAWN = "() => [...document.querySelectorAll('.agi-figure')].every(f => f.dataset.ready === 'true')"
#: True once the scripts a page loads after its load event (lean_pages: the copy buttons') have come.
LATE_SCRIPTS_LOADED = (
    "() => document.readyState === 'complete' && performance.getEntriesByType('resource')"
    ".filter(e => /copybutton|clipboard/.test(e.name) && e.responseEnd > 0).length === 2"
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
    r, g, b = (int(c) / 255 for c in re.findall(r"[\d.]+", colour)[:3])
    r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in (r, g, b))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


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


def axe(page):
    """axe-core's violations on the page, with the serious and critical ones first."""
    if not AXE.is_file():
        pytest.fail(f"{AXE} is missing: run `bash scripts/setup`")
    page.add_script_tag(path=str(AXE))
    return page.evaluate("async () => (await axe.run(document, {resultTypes: ['violations']})).violations")


def describe(violations):
    return "\n".join(
        f"{v['impact']} {v['id']}: {v['help']}\n"
        + "\n".join(f"    {n['target']} {n['failureSummary'][:200]}" for n in v["nodes"][:5])
        for v in violations
    )


@pytest.mark.parametrize("path", [*PAGES, "search.html?q=gradient", "genindex.html"])
def test_no_serious_or_critical_accessibility_violation_in_light_or_dark(open_page, path):
    """The page opened by a reader whose system is set to light, then switched to dark (the theme
    follows the system until the reader chooses), each audited as drawn."""
    opened = open_page(path, color_scheme="light")
    page = opened.page
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
        violations = [v for v in axe(page) if v["impact"] in ("serious", "critical")]
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
    icon = re.search(r'<link rel="icon" href="([^"]+)"', html)
    assert icon and (build.html / path).parent.joinpath(icon.group(1)).resolve().is_file()


def test_chapter_4_is_light_stable_and_paints_without_waiting_for_scripts(open_page):
    opened = open_page(CHAPTER_4)
    page = opened.page
    # Everything the page loads, loaded (its figures drawn, its fonts, the scripts it asks for after
    # its load event); then scrolled through, a screen at a time, each drawn before the next, so
    # that anything loaded on demand is loaded and any late shift is seen.
    page.wait_for_function(FIGURES_DRAWN)
    page.wait_for_function(LATE_SCRIPTS_LOADED)
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
        const entries = [...performance.getEntriesByType('navigation'), ...performance.getEntriesByType('resource')];
        return {
            cls: shifts.reduce((sum, e) => sum + e.value, 0),
            bytes: entries.reduce((sum, e) => sum + e.decodedBodySize, 0),
            urls: entries.map(e => e.name),
            blocking: [...document.head.querySelectorAll('script[src]')]
                .filter(s => !s.defer && !s.async && s.type !== 'module').map(s => s.src),
        };
    }""")
    assert opened.errors == [] and opened.failed == []
    assert measures["bytes"] <= BUDGET_BYTES, f"{measures['bytes'] / 1024:.0f} KiB"
    assert measures["cls"] < 0.05, f"cumulative layout shift {measures['cls']:.3f}"
    assert measures["blocking"] == [], "scripts that hold up the first paint"
    assert not [u for u in measures["urls"] if re.search(r"fontawesome\.js|mathjax|katex(\.min)?\.js", u, re.I)]
    # The icons the theme's header draws still show, from its web font.
    assert page.evaluate("() => document.fonts.check('900 16px \"Font Awesome 6 Free\"')")
    icon = page.locator(".theme-switch-button i.theme-switch:visible")
    assert icon.count() == 1
    assert icon.evaluate("el => getComputedStyle(el, '::before').content") not in ("none", "normal", '""')
    opened.screenshot("04-light")


def test_chapter_4_first_paint_waits_for_the_page_and_one_stylesheet(open_page):
    opened = open_page(CHAPTER_4)
    page = opened.page
    page.wait_for_function(FIGURES_DRAWN)
    page.wait_for_function(LATE_SCRIPTS_LOADED)  # or the test would race them
    timing = page.evaluate("""() => {
        const nav = performance.getEntriesByType('navigation')[0];
        const resources = performance.getEntriesByType('resource').map(e => ({
            name: e.name, start: e.startTime, bytes: e.decodedBodySize, by: e.initiatorType }));
        return {
            page: nav.decodedBodySize, loaded: nav.loadEventStart, resources,
            sheets: [...document.querySelectorAll('link[rel=stylesheet]')].map(l => l.href),
            preloads: [...document.querySelectorAll('link[rel=preload]')].map(l => l.href),
        };
    }""")
    assert [s.split("/")[-1] for s in timing["sheets"]] == ["site.css"], "one stylesheet"
    early = [r for r in timing["resources"] if r["name"] in timing["sheets"] + timing["preloads"]]
    first_paint = timing["page"] + sum(r["bytes"] for r in early)
    assert first_paint <= FIRST_PAINT_BYTES, f"{first_paint / 1024:.0f} KiB before the first paint"
    # The fonts it needs come in the stylesheet, cut to what the site shows; any other is small too.
    assert page.evaluate("""() => ['KaTeX_Main', 'KaTeX_Math', 'Font Awesome 6 Free'].every(family =>
        [...document.fonts].some(f => f.family.replaceAll('"', '') === family && f.status === 'loaded'))""")
    fonts = {r["name"].split("/")[-1]: r["bytes"] for r in timing["resources"] if r["name"].endswith(".woff2")}
    assert all(size < 12 * 1024 for size in fonts.values()), fonts
    # The copy buttons' scripts are asked for once the page has loaded, not before: they do not
    # share the bandwidth the first paint needs. The figures' drawings and data come from deferred
    # scripts at the end of the text (they run once the page is parsed, so that figures take
    # their final size before a reader can scroll to them), not from the page itself.
    later = [r for r in timing["resources"] if re.search(r"copybutton|clipboard", r["name"])]
    assert len(later) == 2 and all(r["start"] >= timing["loaded"] for r in later), later
    figures = page.evaluate("() => [...document.querySelectorAll('script[src*=figure]')].map(s => s.defer)")
    assert figures == [True, True], figures


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_first_paint_is_already_in_the_readers_theme(browser, site, scheme):
    # The theme's own script, deferred, also sets light or dark, but it has not run at the first
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
