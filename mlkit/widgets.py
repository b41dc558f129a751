"""Control panels that work the same in JupyterLab and in headless runs.

``show_panel(render, controls)`` draws ``render(**defaults)`` as ordinary outputs (real
``image/png`` figures and tables) and, when a person is at the notebook, shows the
ipywidgets controls above them; moving a control re-renders into the same outputs in place.
Headless runs (``mlkit run``) get the same picture a student sees before touching a control.
"""

from __future__ import annotations

import io
import itertools
import time

from mlkit.recording import is_headless

__all__ = ["Panel", "show_panel", "figure_to_image", "BlitCanvas"]

_ids = itertools.count()


def figure_to_image(fig, *, dpi: int | None = None):
    """Render a matplotlib Figure to an ``IPython.display.Image`` (PNG) and close the figure.

    Closing keeps the inline backend from drawing the figure a second time at cell end.
    """
    import matplotlib.pyplot as plt
    from IPython.display import Image

    buf = io.BytesIO()
    # A figure with a layout engine is already laid out; a tight bounding box would measure
    # it again (about a third of the render time).
    tight = None if fig.get_layout_engine() is not None else "tight"
    fig.savefig(buf, format="png", dpi=dpi or fig.dpi, bbox_inches=tight)
    plt.close(fig)
    return Image(data=buf.getvalue(), format="png")


class BlitCanvas:
    """A figure drawn once, whose moving artists are redrawn onto a saved background per frame.

    The renderer behind every slider panel that must answer within ~100 ms: building and
    drawing a matplotlib figure takes 0.5-1 s, restoring a saved background and drawing a few
    artists takes milliseconds (matplotlib's blitting).

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The complete figure. It is taken off pyplot (closed) so the inline backend never shows
        it; only :meth:`frame` draws it.
    animated : iterable of matplotlib.artist.Artist, optional
        Artists that change between frames; marked animated so the saved background lacks them.
    dpi : int, optional
        Resolution of the frames; default the figure's.

    Examples
    --------
    >>> import matplotlib
    >>> from matplotlib.figure import Figure
    >>> fig = Figure(figsize=(2, 2))
    >>> (line,) = fig.subplots().plot([0, 1], [0, 1])
    >>> canvas = BlitCanvas(fig, animated=[line])
    >>> type(canvas.frame([line])).__name__
    'Image'
    """

    def __init__(self, fig, *, animated=(), dpi: int | None = None):
        import matplotlib.pyplot as plt
        from matplotlib.backends.backend_agg import FigureCanvasAgg

        plt.close(fig)  # drawn only through frame(): the inline backend must not show it too
        if dpi is not None:
            fig.set_dpi(dpi)
        for artist in animated:
            artist.set_animated(True)
        self.fig = fig
        self.canvas = FigureCanvasAgg(fig)
        self.canvas.draw()
        self.background = self.canvas.copy_from_bbox(fig.bbox)

    def restore(self) -> None:
        """Put the saved background back (call before drawing artists by hand)."""
        self.canvas.restore_region(self.background)

    def draw(self, artists) -> None:
        """Draw `artists` onto the current frame."""
        for artist in artists:
            self.fig.draw_artist(artist)

    def png(self, *, mode: str = "RGBA"):
        """Return the current frame as an ``IPython.display.Image`` (PNG, fast compression).

        Parameters
        ----------
        mode : {"RGBA", "RGB"}, default="RGBA"
            Pixel format of the PNG.
        """
        from IPython.display import Image
        from PIL import Image as PILImage

        img = PILImage.frombuffer(
            "RGBA", self.canvas.get_width_height(), self.canvas.buffer_rgba(), "raw", "RGBA", 0, 1
        )
        if mode != "RGBA":
            img = img.convert(mode)
        buf = io.BytesIO()
        img.save(buf, format="png", compress_level=1)
        return Image(data=buf.getvalue(), format="png")

    def frame(self, artists, *, mode: str = "RGBA"):
        """Restore the background, draw `artists` and return the frame as a PNG image."""
        self.restore()
        self.draw(artists)
        return self.png(mode=mode)


def _displayable(item):
    from IPython.display import Markdown
    from matplotlib.figure import Figure

    if isinstance(item, Figure):
        return figure_to_image(item)
    if isinstance(item, str):
        return Markdown(item)
    return item


class Panel:
    """A live view: controls, a render function and the outputs it keeps up to date.

    Parameters
    ----------
    render : callable
        Called as ``render(**values)`` with one keyword per control; returns a matplotlib
        Figure, a DataFrame (or Styler), a markdown string, or a tuple of these.
    controls : dict of str to ipywidgets.ValueWidget
        The controls, keyed by the keyword `render` takes.
    title : str, optional
        Shown above the controls.

    Attributes
    ----------
    render_times_ms : list of float
        Wall time of each render (ms), for latency benchmarks.
    """

    def __init__(self, render, controls: dict, *, title: str | None = None):
        if not callable(render):
            raise TypeError(
                f"The 'render' parameter of show_panel must be callable. Got {render!r}."
            )
        if not isinstance(controls, dict) or not controls:
            raise ValueError(
                "The 'controls' parameter of show_panel must be a non-empty dict of name -> widget."
            )
        for name, w in controls.items():
            if not hasattr(w, "value") or not hasattr(w, "observe"):
                raise TypeError(
                    f"Control {name!r} must be an ipywidgets control with a .value (for example "
                    f"FloatSlider). Got {type(w).__name__}."
                )
        self.render = render
        self.controls = controls
        self.title = title
        self.render_times_ms: list[float] = []
        self._handles = []
        self._uid = next(_ids)
        self._suspend = False

    @property
    def values(self) -> dict:
        """Return the current control values, keyed like `controls`."""
        return {k: w.value for k, w in self.controls.items()}

    def _render(self):
        start = time.perf_counter()
        out = self.render(**self.values)
        items = list(out) if isinstance(out, tuple | list) else [out]
        shown = [_displayable(i) for i in items]
        self.render_times_ms.append((time.perf_counter() - start) * 1000.0)
        return shown

    def show(self) -> Panel:
        """Display the controls (interactive only) and the outputs for the current values."""
        from IPython.display import Markdown, display

        if is_headless():
            state = ", ".join(f"{k}={v!r}" for k, v in self.values.items())
            head = f"**{self.title}** — " if self.title else ""
            display(
                Markdown(
                    f"{head}static view at the default controls ({state}); "
                    "open the notebook in JupyterLab to move them."
                )
            )
        else:
            import ipywidgets as w

            box = [w.HTML(f"<b>{self.title}</b>")] if self.title else []
            box.append(w.HBox(list(self.controls.values()), layout=w.Layout(flex_flow="row wrap")))
            display(w.VBox(box))
            for ctrl in self.controls.values():
                ctrl.observe(self._on_change, names="value")
        for i, item in enumerate(self._render()):
            self._handles.append(display(item, display_id=f"mlkit-panel-{self._uid}-{i}"))
        return self

    def _on_change(self, _change=None):
        if not self._suspend:
            self.refresh()

    def refresh(self) -> None:
        """Re-render with the current values into the existing outputs."""
        from IPython.display import display

        for i, item in enumerate(self._render()):
            if i < len(self._handles) and self._handles[i] is not None:
                self._handles[i].update(item)
            else:
                self._handles.append(display(item, display_id=f"mlkit-panel-{self._uid}-{i}"))

    def update(self, **values) -> float:
        """Set several controls at once, re-render once, and return the render time in ms.

        Raises
        ------
        KeyError
            If a name is not one of the controls.
        """
        unknown = set(values) - set(self.controls)
        if unknown:
            raise KeyError(
                f"Unknown control(s) {sorted(unknown)}; this panel has {sorted(self.controls)}."
            )
        self._suspend = True
        try:
            for k, v in values.items():
                self.controls[k].value = v
        finally:
            self._suspend = False
        self.refresh()
        return self.render_times_ms[-1]


def show_panel(render, controls: dict, *, title: str | None = None) -> Panel:
    """Display a control panel whose default state is also a static figure.

    Parameters
    ----------
    render : callable
        ``render(**values)`` returning a Figure, DataFrame, markdown string or a tuple of them.
        Precompute what does not depend on the controls outside `render` so it stays fast.
    controls : dict of str to ipywidgets.ValueWidget
        The controls, keyed by the keyword names of `render`.
    title : str, optional
        Heading shown above the controls.

    Returns
    -------
    Panel
        The live panel (``.update(**values)`` re-renders; ``.render_times_ms`` has timings).

    Raises
    ------
    TypeError
        If `render` is not callable or a control has no ``.value``.
    ValueError
        If `controls` is empty.

    Examples
    --------
    >>> import ipywidgets as w  # doctest: +SKIP
    >>> show_panel(lambda threshold: plot_pr(threshold),  # doctest: +SKIP
    ...            {"threshold": w.FloatSlider(value=0.5, min=0, max=1)})
    """
    return Panel(render, controls, title=title).show()
