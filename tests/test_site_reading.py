"""The website as a reader meets it: a predict question's answer out of sight until asked for, every
icon in the cut icon font, no page wider than a phone, no equation cut off, and figures printed as
pictures, not sliders. Offline, in Chromium; every wait is for an event.
"""

import base64
import io
import re

import pytest
from playwright.sync_api import expect

from tests.test_accessibility import FIGURES_DRAWN, RENDERED
from tests.test_site import CHAPTERS, PAGES

CHAPTER_4 = "chapters/04-the-chain-rule.html"
#: The pages of the book as a reader opens them (index.html only sends the reader on).
BOOK = [page for page in PAGES if page != "index.html"] + ["intro.html"]
#: Font Awesome's icons are code points of Unicode's private-use area.
PRIVATE_USE = range(0xE000, 0xF900)


def _drawn(page):
    page.wait_for_function(FIGURES_DRAWN)
    page.evaluate("() => document.fonts.ready")
    page.evaluate(RENDERED)


# -- Predict questions: the answer below them shows once the reader has answered -----------------------


def _answer_hidden(answer):
    """Whether the answer's output and its paragraph are out of sight (the code stays in view, and
    so does a figure: it answers only once the reader moves it)."""
    parts = answer.locator(":scope > .cell > .cell_output:not(:has(.agi-figure)), :scope > p")
    assert parts.count() >= 1
    return not any(part.is_visible() for part in parts.all())


def test_a_questions_answer_shows_only_once_the_reader_has_answered(open_page):
    page = open_page(CHAPTER_4).page
    questions = page.locator("div.cell:has(fieldset.agi-question)")
    answers = page.locator("div.cell:has(fieldset.agi-question) + .agi-answer")
    assert questions.count() == answers.count() == 3, "each question has the cell that answers it right below"
    for k in range(questions.count()):
        question, answer = questions.nth(k).locator("fieldset"), answers.nth(k)
        question.scroll_into_view_if_needed()
        assert _answer_hidden(answer), f"question {k + 1}: its answer shows before it is answered"
        assert answer.locator(".cell_input").is_visible(), "the cell's code stays in view"
        says = answer.evaluate("el => getComputedStyle(el, '::after').content")
        assert "once you have answered" in says, says
        # A wrong choice: its own feedback, and the answer below.
        labels = question.locator(".agi-choices label")
        right = [j for j in range(labels.count()) if labels.nth(j).get_attribute("data-right") is not None]
        wrong = next(j for j in range(labels.count()) if j != right[0])
        labels.nth(wrong).click()
        said = question.locator(f'.agi-said p[data-choice="{wrong}"]')
        expect(said).to_be_visible()
        assert said.inner_text().startswith("Not quite:")
        assert not _answer_hidden(answer), f"question {k + 1}: its answer stays hidden after a choice"
        assert answer.evaluate("el => getComputedStyle(el, '::after').content") == "none"
        # The right choice: "Right:", and "Show the answer" has nothing left to show.
        labels.nth(right[0]).click()
        expect(question.locator(f'.agi-said p[data-choice="{right[0]}"]')).to_contain_text("Right:")
        assert not question.locator(".agi-reveal").is_visible()


def test_show_the_answer_opens_from_the_keyboard_and_shows_the_right_one(open_page):
    page = open_page(CHAPTER_4).page
    question = page.locator("fieldset.agi-question").first
    answer = page.locator("div.cell:has(fieldset.agi-question) + .agi-answer").first
    question.scroll_into_view_if_needed()
    assert question.locator("input:checked").count() == 0
    shown = question.locator(".agi-reveal p")
    assert not shown.is_visible() and _answer_hidden(answer)
    # Tab from the last choice's radio group to "Show the answer"; Enter opens it.
    question.locator("input[type=radio]").first.focus()
    page.keyboard.press("Tab")
    summary = question.locator(".agi-reveal summary")
    expect(summary).to_be_focused()
    assert summary.inner_text() == "Show the answer"
    page.keyboard.press("Enter")
    expect(shown).to_be_visible()
    right = question.locator(".agi-choices label[data-right]").inner_text()
    assert shown.inner_text().startswith(f"The answer is {right}:"), shown.inner_text()
    assert question.locator(".agi-said p:visible").count() == 0, "no choice was picked"
    assert not _answer_hidden(answer)
    page.keyboard.press("Enter")  # and closes it again
    expect(shown).to_be_hidden()
    assert _answer_hidden(answer)


# -- Icons: every icon the stylesheet draws is in the cut font ---------------------------------------


def _icon_code_points(css):
    """The private-use code points the stylesheet can draw: those in every `content` value, with
    custom properties (var()) followed to their values; CSS escapes read, as the browser reads them."""
    custom = {}
    for name, value in re.findall(r"(--[\w-]+)\s*:\s*([^;{}]*)", css):
        custom.setdefault(name, []).append(value)

    def values(value, seen=()):
        yield value
        for name in re.findall(r"var\(\s*(--[\w-]+)", value):
            if name not in seen:
                for other in custom.get(name, []):
                    yield from values(other, (*seen, name))

    points = set()
    for content in re.findall(r"(?<![\w-])content\s*:\s*([^;{}]*)", css):
        for value in values(content):
            text = re.sub(r"\\([0-9a-fA-F]{1,6}) ?", lambda m: chr(int(m.group(1), 16)), value)
            points |= {ord(c) for c in text if ord(c) in PRIVATE_USE}
    return points


def test_the_cut_icon_font_has_every_icon_the_pages_stylesheet_draws(build):
    from fontTools.ttLib import TTFont

    static = build.html / "_static"
    css = (static / "site.css").read_text(encoding="utf-8")
    wanted = _icon_code_points(css)
    assert 0xF0EB in wanted, "the hint's lightbulb (the theme's --pst-icon-lightbulb)"
    fonts = sorted(re.findall(r"url\((site-fonts/fa-[\w-]+\.woff2)\)", css))
    assert {f.split("/")[-1] for f in fonts} == {"fa-solid-900.woff2", "fa-regular-400.woff2", "fa-brands-400.woff2"}
    missing = set(wanted)
    for font in set(fonts):
        whole = TTFont(static / "vendor/fontawesome/webfonts" / font.split("/")[-1]).getBestCmap()
        cut = TTFont(static / font).getBestCmap()
        lost = sorted(hex(p) for p in wanted if p in whole and p not in cut)
        assert lost == [], f"{font} was cut without {lost}: they would show as a box"
        missing -= set(cut)
    assert missing == set(), f"no icon font has {sorted(map(hex, missing))}"
    # The solid style is in the stylesheet too (the first paint's icons): the same cut.
    inline = re.search(r'url\(data:font/woff2;base64,([^)]+)\) format\("woff2"\),url\(site-fonts/fa-solid', css)
    assert inline and set(TTFont(io.BytesIO(base64.b64decode(inline.group(1)))).getBestCmap()) == set(
        TTFont(static / "site-fonts/fa-solid-900.woff2").getBestCmap()
    )


def test_the_hint_draws_its_lightbulb(open_page):
    page = open_page(CHAPTER_4).page
    _drawn(page)
    title = page.locator(".exercise .hint .admonition-title").first
    icon = title.evaluate(
        "el => { const s = getComputedStyle(el, '::after'); return [s.content, s.fontFamily, s.fontWeight]; }"
    )
    assert icon[0] == '"\uf0eb"' and "Font Awesome 6 Free" in icon[1] and icon[2] == "900", icon


# -- Layout: nothing wider than a phone, no equation cut off ---------------------------------------

#: Each display equation whose content is cut off: by an ancestor that clips it (overflow other than
#: visible) and cannot scroll to it. What a scrolling ancestor holds is in reach, so from there on the
#: ancestor's own box is what must fit.
CLIPPED_EQUATIONS = """() => {
    const clipped = [];
    for (const display of document.querySelectorAll('article .katex-display')) {
        const html = display.querySelector('.katex-html');
        const parts = [...html.querySelectorAll('.base')].map(b => b.getBoundingClientRect());
        let box = {left: Math.min(...parts.map(r => r.left)), right: Math.max(...parts.map(r => r.right))};
        for (let el = html; el && el.tagName !== 'ARTICLE'; el = el.parentElement) {
            const style = getComputedStyle(el);
            if (style.overflowX === 'visible') continue;
            const r = el.getBoundingClientRect(), scrolls = /auto|scroll/.test(style.overflowX);
            const cut = box.left < r.left - 1 ? 'left' : (box.right > r.right + 1 && !scrolls ? 'right' : null);
            if (cut) { clipped.push(`${display.textContent.slice(0, 40)}: cut on the ${cut} by ${el.className}`); break; }
            if (scrolls) box = {left: r.left, right: r.right};
        }
    }
    return clipped;
}"""


@pytest.mark.parametrize("path", BOOK)
def test_no_page_scrolls_sideways_on_a_phone_and_no_equation_is_cut_off(open_page, path):
    """At 375 px (a phone) no page is wider than the screen, with every answer and <details> open
    too; at 375 and 1280 px every display equation shows whole or scrolls within itself."""
    opened = open_page(path, viewport={"width": 375, "height": 812})
    page = opened.page
    for width in (375, 1280):
        page.set_viewport_size({"width": width, "height": 812})
        _drawn(page)
        assert page.evaluate(CLIPPED_EQUATIONS) == [], f"at {width} px"
    page.set_viewport_size({"width": 375, "height": 812})
    _drawn(page)
    for state in ("as loaded", "with everything open"):
        wide = page.evaluate(
            """() => { const s = document.scrollingElement;
                       return s.scrollWidth <= s.clientWidth ? null : [s.scrollWidth, s.clientWidth,
                         [...document.querySelectorAll('article *')].filter(e => e.getBoundingClientRect().right
                           > s.clientWidth + 1 && !e.closest('pre, .highlight, table, .katex-display, .agi-figure,'
                           + ' .table-wrapper, .cell_output')).slice(0, 3).map(e => e.outerHTML.slice(0, 120))]; }"""
        )
        assert wide is None, f"{state}: the page scrolls sideways on a phone: {wide}"
        page.evaluate("""() => {
            document.querySelectorAll('details').forEach(d => d.open = true);
            document.querySelectorAll('fieldset.agi-question input[type=radio]:first-of-type').forEach(r => r.click());
        }""")
        page.evaluate(RENDERED)
    assert opened.errors == []


# -- Print: figures as pictures, answers shown --------------------------------------------------------

FIGURES_ON_PAPER = """() => [...document.querySelectorAll('.agi-figure')].map(figure => {
    const shown = el => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden';
    const sized = el => { const r = el.getBoundingClientRect(); return r.width > 50 && r.height > 30; };
    const pictures = [...figure.querySelectorAll('.agi-plot svg.agi-background, .agi-plot img, .agi-graph svg')]
        .filter(el => shown(el) && sized(el));
    return {
        title: figure.getAttribute('aria-label'),
        pictures: pictures.length,
        controls: [...figure.querySelectorAll('input[type=range], button, summary')].filter(shown).length,
        caption: getComputedStyle(figure, '::after').content,
    };
})"""


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_a_printed_chapter_shows_each_figure_as_a_picture_with_its_caption_and_every_answer(open_page, chapter):
    page = open_page(f"{chapter}.html").page
    _drawn(page)
    page.emulate_media(media="print")
    page.evaluate(RENDERED)
    for figure in page.evaluate(FIGURES_ON_PAPER):
        assert figure["pictures"] >= 1, f"{figure['title']}: no picture on paper"
        assert figure["controls"] == 0, f"{figure['title']}: a slider or button on paper"
        assert figure["caption"] == f'"{figure["title"]}"', figure
    for answer in page.locator(".agi-answer").all():
        assert not _answer_hidden(answer), "an answer left out of the printed page"
    assert page.locator(".agi-reveal:visible").count() == 0, '"Show the answer" printed'


def test_printed_without_javascript_a_figure_is_its_still(open_page):
    page = open_page(CHAPTER_4, java_script_enabled=False).page
    page.emulate_media(media="print")
    stills = page.locator(".agi-figure .agi-plot img:visible")
    assert stills.count() >= 1
    for still in stills.all():
        still.scroll_into_view_if_needed()
        assert still.evaluate("img => img.decode().then(() => img.naturalWidth > 0)")
    assert page.locator(".agi-figure .agi-nojs:visible").count() == 0


def test_a_page_read_in_the_dark_theme_prints_in_the_light_one(open_page):
    """Paper is white: printing a page read in the dark theme switches it (figures and their
    colours too) to the light theme, and back once printing is done."""
    page = open_page(CHAPTER_4, color_scheme="dark").page
    _drawn(page)
    ink = "() => getComputedStyle(document.querySelector('.agi-figure')).getPropertyValue('--agi-ink').trim()"
    assert page.evaluate("() => document.documentElement.dataset.theme") == "dark"
    on_screen = page.evaluate(ink)
    page.evaluate("() => dispatchEvent(new Event('beforeprint'))")
    page.emulate_media(media="print")
    assert page.evaluate("() => document.documentElement.dataset.theme") == "light"
    assert page.evaluate(ink) == "#000000" != on_screen, "the figures' ink is the light theme's"
    page.emulate_media(media="screen")
    page.evaluate("() => dispatchEvent(new Event('afterprint'))")
    assert page.evaluate("() => document.documentElement.dataset.theme") == "dark"
