"""The website: it builds with no warning, and its pages work in a real browser, offline."""

import re

import pytest
import yaml

from tests.conftest import ROOT, new_page, only_local

TOC = yaml.safe_load((ROOT / "_toc.yml").read_text())
CHAPTERS = [c["file"] for part in TOC["parts"] for c in part["chapters"]]
PAGES = ["index.html"] + [f"{chapter}.html" for chapter in CHAPTERS]


def test_site_builds_with_no_warnings(build):
    # -W turns any warning into a failed build; --keep-going lists them all in the log.
    assert build.result.returncode == 0, build.log[-5000:]
    assert "build succeeded" in build.log
    assert not re.search(r"WARNING|ERROR", build.log), build.log[-5000:]
    for page in PAGES:
        assert (build.html / page).is_file(), page


def test_site_ships_no_math_engine(build):
    # Equations are rendered to HTML and MathML when the site is built: no MathJax or KaTeX script is
    # sent to the reader, only KaTeX's rules (in the site's one stylesheet) and fonts, from the site.
    html = (build.html / "chapters/04-the-chain-rule.html").read_text()
    scripts = " ".join(re.findall(r"<script[^>]*>", html)).lower()
    assert "mathjax" not in scripts and "katex" not in scripts and "auto-render" not in scripts
    assert re.findall(r'<link rel="stylesheet" href="([^"]+)"', html) == ["../_static/site.css"]
    css = (build.html / "_static/site.css").read_text()
    assert ".katex .mfrac" in css and "KaTeX_Main" in css
    fonts = set(re.findall(r"url\(([^)]+\.woff2)\)", css))
    assert "site-fonts/KaTeX_Size1-Regular.woff2" in fonts and "data:font/woff2;base64," in css
    for font in fonts:
        assert (build.html / "_static" / font).is_file(), font


def test_landing_page_navigates_by_parts(open_page):
    page = open_page("index.html").page
    assert page.title().startswith("Autograd, Interactively")
    nav = page.locator("nav.bd-docs-nav")
    captions = [c.strip() for c in nav.locator("p.caption").all_inner_texts()]
    assert captions == [
        "Foundations",
        "A single neuron",
        "Working with gradients",
        "Training",
        "Beyond the tutorial",
        "About this book",
    ]
    links = [t.strip() for t in nav.locator("a.reference.internal").all_inner_texts()]
    assert [link.split(".")[0] for link in links if link[0].isdigit()] == [str(i) for i in range(1, 16)]
    assert links[-1] == "Status of the chapters", "the status page comes last, unnumbered"


@pytest.mark.parametrize("chapter", ["chapters/04-the-chain-rule", "chapters/05-a-neuron-by-hand"])
def test_equations_are_typeset(open_page, chapter):
    page = open_page(f"{chapter}.html").page
    assert page.locator(".katex-display").count() >= 3, "display equations rendered by KaTeX"
    assert page.locator("span.math .katex").count() >= 10, "inline math rendered by KaTeX"
    assert page.locator(".katex-error").count() == 0, "KaTeX could not parse an equation"
    text = page.locator("article").inner_text()
    assert "$$" not in text and "\\(" not in text and "\\frac" not in text, "raw TeX on the page"
    # Each equation carries MathML for screen readers, and its fonts come from the site.
    assert page.locator(".katex-display .katex-mathml math mfrac").count() >= 1
    assert page.locator(".katex-display .katex-mathml math").count() == page.locator(".katex-display").count()
    fonts = page.evaluate(
        "() => [...document.fonts].filter(f => f.family.startsWith('KaTeX') && f.status == 'loaded').length"
    )
    assert fonts >= 2, "KaTeX's fonts did not load"


def test_equations_render_from_disk(browser, build):
    # A downloaded copy of the site, opened from file://: the equations and their fonts are there.
    page = new_page(browser)
    blocked = only_local(page, "file://")
    page.goto((build.html / "chapters/05-a-neuron-by-hand.html").as_uri(), wait_until="load")
    page.evaluate("() => document.fonts.ready")
    assert page.locator(".katex-display").count() >= 3
    assert page.evaluate("() => [...document.fonts].some(f => f.family === 'KaTeX_Main' && f.status === 'loaded')")
    assert blocked == [], "the page asked for something that is not on the disk"
    page.context.close()


def test_chapter_4_shows_the_non_leaf_warning_as_a_message(open_page):
    page = open_page("chapters/04-the-chain-rule.html").page
    # It answers the question above it: it shows once the reader has picked a choice.
    page.locator("fieldset.agi-question").first.locator(".agi-choices label").first.click()
    stderr = page.locator(".output.stderr")
    assert stderr.count() == 1
    text = stderr.inner_text()
    assert text.startswith("UserWarning: The .grad attribute of a Tensor that is not a leaf Tensor")
    assert "/tmp/" not in text and "ipykernel" not in text


def test_chapter_pages_show_the_tutorials_numbers(open_page):
    page = open_page("chapters/06-a-neuron-with-autograd.html").page
    outputs = page.locator(".cell_output").all_inner_texts()
    assert any("Pytorch Autograd Gradient w.r.t weight tensor(6.6918)" in text for text in outputs)
    assert any("Manual Gradient of loss w.r.t bias (db): 0.998770534992218" in text for text in outputs)


def test_search_finds_the_chapter_and_the_chapter_highlights_the_words(open_page):
    opened = open_page("search.html?q=retain_grad")
    page = opened.page
    page.wait_for_selector("#search-results li a")
    first = page.locator("#search-results li a").first
    assert first.inner_text().startswith("4. The chain rule")
    assert opened.errors == [], "the search page's scripts failed"
    # The result links to the chapter with the words to highlight; its highlighter loads after the page.
    first.click()
    page.wait_for_selector("article span.highlighted", state="attached")
    assert "retain_grad" in page.locator("article span.highlighted").first.text_content()
    assert opened.errors == []
