"""Where a warning of the library points: at the user's line, not at a line inside eventstudy.

A fixed ``stacklevel`` is right for one call path only: the same check warns from
``es.evaluate`` (one frame below the user) and from ``es.run_study`` (a dozen frames below), and
a warning collected inside a study and issued again has lost its first caller altogether.
:func:`find_stack_level` counts the frames instead, as pandas does
(``pandas.util._exceptions.find_stack_level``)::

    warnings.warn(message, DroppedEventsWarning, stacklevel=find_stack_level())
"""

from __future__ import annotations

import os
import sys

__all__ = ["find_stack_level"]

_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep
"""The folder of the eventstudy package; a frame whose file lies in it is the library's."""


def find_stack_level() -> int:
    """The ``stacklevel`` that makes a warning point at the first frame outside eventstudy.

    Counted from the caller of this function, the function that calls ``warnings.warn``
    (level 1), up through the frames whose code lies in the package's folder.  Code outside
    it is the user's: a script, a notebook cell, a test (``tests/`` is beside the package,
    not in it), a doctest example, or a signal defined by the user that calls back into the
    library.  When every frame is the library's (``python eventstudy/cli.py``), the outermost.

    Returns
    -------
    int
        At least 1; ``warnings.warn(..., stacklevel=find_stack_level())`` from the caller.

    Examples
    --------
    Called from outside the package, the level is the caller's own:

    >>> from eventstudy._warnings import find_stack_level
    >>> find_stack_level()
    1
    """
    frame = sys._getframe(1)
    level = 1
    try:
        while frame.f_back is not None and frame.f_code.co_filename.startswith(_PACKAGE_DIR):
            frame = frame.f_back
            level += 1
    finally:
        del frame  # no reference cycle through the frames
    return level
