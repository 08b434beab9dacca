"""The website: it builds with no warning, and its pages work in a real browser, offline."""

import re

import pytest
import yaml

from tests.conftest import ROOT

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


def test_site_serves_mathjax_itself(build):
    html = (build.html / "chapters/04-the-chain-rule.html").read_text()
    assert "_static/mathjax/tex-chtml.js" in html
    assert (build.html / "_static/mathjax/tex-chtml.js").is_file()


@pytest.mark.parametrize("path", PAGES)
def test_page_loads_offline_without_errors(open_page, path):
    page = open_page(path)
    assert page.errors == [], "JavaScript errors on the page"
    assert page.blocked == [], "the page asked for something that is not on the site"
    assert page.failed == [], "requests for the site's own files failed"
    page.screenshot(path.replace("/", "-").removesuffix(".html"))


def test_landing_page_navigates_by_parts(open_page):
    page = open_page("index.html").page
    assert page.title().startswith("Autograd, Interactively")
    nav = page.locator("nav.bd-docs-nav")
    captions = [c.strip() for c in nav.locator("p.caption").all_inner_texts()]
    assert captions == ["Foundations", "A single neuron", "Working with gradients", "Training"]
    links = [t.strip() for t in nav.locator("a.reference.internal").all_inner_texts()]
    assert [link.split(".")[0] for link in links if link[0].isdigit()] == [str(i) for i in range(1, 11)]


@pytest.mark.parametrize("chapter", ["chapters/04-the-chain-rule", "chapters/05-a-neuron-by-hand"])
def test_equations_are_typeset(open_page, chapter):
    page = open_page(f"{chapter}.html").page
    assert page.locator("mjx-container").count() >= 3
    assert page.locator("mjx-merror").count() == 0, "MathJax could not parse an equation"
    assert page.locator("text=$$").count() == 0


def test_chapter_4_shows_the_non_leaf_warning_as_a_message(open_page):
    page = open_page("chapters/04-the-chain-rule.html").page
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
