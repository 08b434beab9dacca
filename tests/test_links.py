"""Links on the built site: none broken, and every chapter can be run elsewhere.

The crawl reads every page of the build (everything but _static/): each <a href> and each src or stylesheet href that names
a file of the site must name one that exists, and each #anchor an id on the page it points to. So
must each script a page loads once it has loaded (the list in its last inline script, written by
_ext/lean_pages.py: the figures' drawings and data among them).
Links to other sites are not followed (no network in the tests); the launch buttons, which are
such links, are checked for where they point.
"""

import functools
import json
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
import yaml
from bs4 import BeautifulSoup

from tests.conftest import ROOT

CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text())
#: The scripts a page loads after its load event (_ext/lean_pages.py's LOADER).
AFTER_LOAD = re.compile(r"for \(const src of (\[[^\]]*\])\)")
#: (tag, attribute) pairs that name a file or a place on the site.
LINKS = [
    ("a", "href"),
    ("link", "href"),
    ("script", "src"),
    ("img", "src"),
    ("iframe", "src"),
    ("source", "src"),
    ("video", "src"),
    ("audio", "src"),
]


@functools.cache
def ids(page):
    """Every id (and old-style <a name>) on an HTML page."""
    soup = BeautifulSoup(page.read_text(errors="replace"), "html.parser")
    return {t["id"] for t in soup.find_all(id=True)} | {t["name"] for t in soup.find_all("a", attrs={"name": True})}


def broken_links(root):
    """Every broken internal link under the folder `root`: [(page, link, what is wrong)]."""
    root = Path(root).resolve()
    broken = []
    # Pages, not the themes' Jinja fragments that Sphinx copies into _static/ as they are.
    for page in sorted(p for p in root.rglob("*.html") if "_static" not in p.relative_to(root).parts):
        soup = BeautifulSoup(page.read_text(errors="replace"), "html.parser")
        links = [e[attribute].strip() for tag, attribute in LINKS for e in soup.find_all(tag, attrs={attribute: True})]
        for script in soup.find_all("script", src=False):
            for listed in AFTER_LOAD.findall(script.get_text()):
                links += json.loads(listed)
        for link in links:
            parts = urlsplit(link)
            if parts.scheme or parts.netloc or link.startswith(("mailto:", "javascript:")):
                continue  # another site, or not a link to a file
            where = page.relative_to(root)
            target = (page.parent / unquote(parts.path)).resolve() if parts.path else page
            if target.is_dir():
                target = target / "index.html"
            if not target.is_relative_to(root):
                broken.append((where, link, "outside the site"))
            elif not target.is_file():
                broken.append((where, link, "no such file"))
            elif parts.fragment and target.suffix == ".html" and unquote(parts.fragment) not in ids(target):
                broken.append((where, link, f"no id {parts.fragment!r} on {target.relative_to(root)}"))
    return broken


def test_no_internal_link_or_anchor_is_broken(build):
    assert build.result.returncode == 0, build.log[-5000:]
    pages = list(build.html.rglob("*.html"))
    assert len(pages) >= 12, "the crawl found the site's pages"
    broken = broken_links(build.html)
    assert broken == [], "\n".join(f"{page}: {link} ({why})" for page, link, why in broken[:30])


def test_the_crawl_finds_a_broken_link_and_a_broken_anchor(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "index.html").write_text(
        '<a href="sub/page.html#here">ok</a> <a href="#top" id="top">ok</a> '
        '<a href="https://example.org/missing.html">another site</a> <img src="sub/">'
        '<a href="sub/gone.html">missing page</a> <a href="sub/page.html#nowhere">missing anchor</a>'
        '<script src="_static/gone.js"></script>'
        '<script>(() => { for (const src of ["sub/page.html", "_static/later.js"]) {} })();</script>'
    )
    (tmp_path / "sub" / "index.html").write_text('<a href="../index.html#top">ok</a>')
    (tmp_path / "sub" / "page.html").write_text('<h1 id="here">ok</h1><a href="../../x.html">up</a>')
    found = {(str(page), link) for page, link, _ in broken_links(tmp_path)}
    assert found == {
        ("index.html", "sub/gone.html"),
        ("index.html", "sub/page.html#nowhere"),
        ("index.html", "_static/gone.js"),
        ("index.html", "_static/later.js"),
        ("sub/page.html", "../../x.html"),
    }


def launch_links(build, chapter):
    soup = BeautifulSoup((build.html / f"{chapter}.html").read_text(), "html.parser")
    return {
        a.get_text(" ", strip=True): a["href"]
        for a in soup.select(".dropdown-launch-buttons a, .dropdown-download-buttons a")
    }


@pytest.mark.parametrize("chapter", ["chapters/04-the-chain-rule"])
def test_chapter_page_runs_on_binder_and_colab_from_the_books_repository_and_downloads(build, chapter):
    """The page's download, and the notebook Binder and Colab open from the repository, are one
    file: the chapter's learner's edition (notebooks/), byte for byte."""
    assert build.result.returncode == 0, build.log[-5000:]
    repository = CONFIG["repository"]
    url, branch = repository["url"].rstrip("/"), repository["branch"]
    owner_repo = re.fullmatch(r"https://github\.com/([^/]+/[^/]+)", url).group(1)
    name = chapter.split("/")[-1]
    book = repository["path_to_book"].strip("/") + "/" if repository["path_to_book"] else ""
    notebook = f"{book}notebooks/{name}.ipynb"
    assert (ROOT / "notebooks" / f"{name}.ipynb").is_file(), "the learner's edition is in the repository"
    links = launch_links(build, chapter)
    assert links.get("Binder") == f"https://mybinder.org/v2/gh/{owner_repo}/{branch}?urlpath=lab/tree/{notebook}"
    assert links.get("Colab") == f"https://colab.research.google.com/github/{owner_repo}/blob/{branch}/{notebook}"
    assert "executablebooks" not in str(links), "the buttons point at Jupyter Book's own repository"
    # The download is the file Colab opens: the learner's edition, install cell included.
    download = links.get(".ipynb")
    assert download is not None and download.endswith(f"{name}.ipynb"), links
    page = build.html / f"{chapter}.html"
    assert (page.parent / download).resolve().read_bytes() == (ROOT / notebook).read_bytes()
    # Binder finds what it installs in the repository's binder/ folder.
    binder = ROOT / "binder"
    assert "-r ../requirements.txt" in (binder / "requirements.txt").read_text()
    assert "pip install --no-deps -e ." in (binder / "postBuild").read_text()
    assert (binder / "runtime.txt").read_text().strip() == "python-3.11"
