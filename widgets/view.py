"""The Jupyter view of an explorer: an anywidget widget whose front end is the page's own script.

The widget carries what the website's figure carries (its skeleton of HTML and its data, with the
table of frames: :mod:`widgets.page`) and runs ``static/figure.js`` on it, in JupyterLab, Notebook
7 and wherever anywidget runs; the script and its style come from the package, not from the
notebook. The one difference from the website is the kernel behind it: when the reader asks for
values the table does not have (a typed value between grid points, say), the script sets the
``request`` trait, the kernel computes that frame with torch autograd (:meth:`Explorer.answer`)
and sets ``answer``; the script draws it if it is still the newest. Nothing else is sent per
update, and the output is never replaced: it neither grows nor flickers.
"""

import anywidget
import traitlets

from widgets import page


class FigureWidget(anywidget.AnyWidget):
    _esm = page.module()
    _css = page.stylesheet()
    html = traitlets.Unicode().tag(sync=True)  # the skeleton: controls' place, plots' boxes, readout
    data = traitlets.Dict().tag(sync=True)  # the figure's data: spec, backgrounds, table of frames
    # Per update: the script's request and the kernel's answer (no echo of the request back).
    request = traitlets.Dict().tag(sync=True, echo_update=False)
    answer = traitlets.Dict().tag(sync=True)

    def __init__(self, explorer, figure):
        super().__init__(html=page.skeleton(figure), data=figure)
        self.explorer = explorer
        self.observe(self._answer, names="request")

    def _answer(self, change):
        self.answer = self.explorer.answer(change["new"])
