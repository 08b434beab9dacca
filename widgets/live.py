"""The live view of an explorer, for Jupyter: ipywidgets controls over an ipympl canvas.

The figure is drawn once. Moving a control evaluates one frame (torch autograd, in the kernel),
moves the marks' matplotlib artists with ``set_data`` and friends, rewrites the readout's numbers,
and redraws only the marks: they are animated artists, blitted over a saved background (axes,
ticks, labels and curves cost ~15-30 ms to draw, the marks well under 1 ms). The output stays one
widget, updated in place. As on the website, the marks are drawn over everything else.
"""

import ipywidgets as w
from ipympl.backend_nbagg import Canvas, FigureManager

from widgets.controls import Choice, Counter, Slider
from widgets.explorer import asset, format_value
from widgets.marks import History

CSS = asset("figure.css")


class LiveView:
    """Controls, canvas, readout and note for one explorer, and the state they share."""

    @classmethod
    def of(cls, explorer):
        """The explorer's live view, made on first use: displaying it twice shows one widget."""
        if getattr(explorer, "_live_view", None) is None:
            explorer._live_view = cls(explorer)
        return explorer._live_view

    def __init__(self, explorer):
        self.explorer = explorer
        self.values = dict(explorer.start)
        self.state = {"history": []}
        self.figure, axes = explorer.background(dpi=100)
        self.canvas = Canvas(self.figure)
        FigureManager(self.canvas, 0)
        self.canvas.header_visible = False
        self.canvas.footer_visible = False
        self.canvas.toolbar_visible = False
        self.canvas.resizable = False
        self.canvas.capture_scroll = False
        # Lay the axes out once, then keep them where they are: redraws skip the layout engine.
        # (Not canvas.draw(): before the frontend is there, ipympl would store a broken image.)
        self.figure.draw_without_rendering()
        self.figure.set_layout_engine("none")
        self.artists = [mark.artist(axes) for mark in explorer.marks]
        for artist in self._animated():
            artist.set_animated(True)  # left out of full draws; drawn by _draw_marks
        self._saved_background = None
        self.canvas.mpl_connect("draw_event", self._on_draw)
        self.readout = w.HTML()
        self.note = w.HTML()
        self._control_note = ""
        self._syncing = False  # True while the view itself sets a slider or box
        self.controls = {c.name: c for c in explorer.controls}
        self.inputs = {}
        rows = [self._control(c) for c in explorer.controls]
        self.widget = w.VBox(
            [w.HTML(f"<style>{CSS}</style>"), w.HBox(rows, layout=w.Layout(flex_flow="row wrap")),
             self.canvas, self.readout, self.note],
            layout=w.Layout(width="100%"),
        )
        self.widget.add_class("agi-figure")
        self.refresh("start")

    # Controls --------------------------------------------------------------------------------

    def _control(self, control):
        if isinstance(control, Slider):
            slider = w.FloatSlider(
                value=control.value, min=control.lo, max=control.hi, step=control.step,
                description=control.label, readout=False, continuous_update=True,
                style={"description_width": "initial"},
            )
            typed = w.FloatText(value=control.value, layout=w.Layout(width="6.5em"),
                                tooltip=f"{control.label}, typed")
            slider.observe(lambda change: self._moved(control, change["new"]), names="value")
            typed.observe(lambda change: self._typed(control, change["new"]), names="value")
            self.inputs[control.name] = (slider, typed)
            return w.HBox([slider, typed])
        if isinstance(control, Choice):
            buttons = w.RadioButtons(
                options=[(label, value) for value, label in control.options], value=control.value,
                description=control.label, style={"description_width": "initial"},
            )
            buttons.observe(lambda change: self.set(control.name, change["new"]), names="value")
            self.inputs[control.name] = (buttons,)
            return buttons
        if isinstance(control, Counter):
            buttons = []
            for label, action in control.buttons:
                button = w.Button(description=label, layout=w.Layout(width="auto"))
                button.on_click(lambda _, action=action: self.click(control.name, action))
                buttons.append(button)
            self.inputs[control.name] = tuple(buttons)
            return w.HBox(buttons)
        raise TypeError(f"unknown control {control!r}")

    def _moved(self, control, value):
        if not self._syncing:
            self._control_note = ""
            self.set(control.name, control.snap(value))

    def _typed(self, control, value):
        if not self._syncing:
            used, note = control.check(value)
            self._control_note = note or ""
            self.set(control.name, used)

    # State -------------------------------------------------------------------------------------

    def set(self, name, value):
        """Move control `name` to `value` (as a reader would) and redraw."""
        self.values[name] = value
        inputs = self.inputs[name]
        if isinstance(self.controls[name], Slider):  # the slider and its box show the value in use
            self._syncing = True
            try:
                for widget in inputs:
                    widget.value = value
            finally:
                self._syncing = False
        self.refresh("move")

    def click(self, name, action):
        """Press a counter's button: "+1" or "reset"."""
        self.values[name], note = self.controls[name].after(self.values[name], action)
        self._control_note = note or ""
        self.refresh("click")

    def refresh(self, event):
        frame = self.explorer.frame(**self.values)
        for mark in (m for m in self.explorer.marks if isinstance(m, History)):
            history = self.state["history"]
            if event != "click":
                history.clear()
            history.append(frame[mark.value])
            del history[: -self.explorer.history_length]
        for mark, artist in zip(self.explorer.marks, self.artists):
            mark.update(artist, frame, self.state)
        self.readout.value = self.explorer.readout.html(frame, self.explorer.decimals)
        self._show_note(frame)
        self.frame = frame
        if self._saved_background is None:  # nothing drawn yet: the frontend asks for a full draw
            self.canvas.draw_idle()
        else:
            self.canvas.restore_region(self._saved_background)
            self._draw_marks()
            self.canvas.blit(self.figure.bbox)

    # Blitting ----------------------------------------------------------------------------------

    def _animated(self):
        for artist in self.artists:
            yield from getattr(artist, "patches", [artist])  # a BarContainer holds its bars

    def _on_draw(self, event):
        """After every full draw of the canvas: keep it as the background, then add the marks."""
        if event is not None and event.canvas is not self.canvas:
            return
        self._saved_background = self.canvas.copy_from_bbox(self.figure.bbox)
        self._draw_marks()

    def _draw_marks(self):
        for artist in self._animated():
            self.figure.draw_artist(artist)

    def _show_note(self, frame):
        notes = [self._control_note, frame[self.explorer.note] if self.explorer.note else ""]
        text = " ".join(n for n in notes if n)
        self.note.value = f'<p class="agi-note">{format_value(text)}</p>' if text else ""
