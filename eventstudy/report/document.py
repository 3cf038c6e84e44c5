"""A report as a list of blocks, rendered to Markdown and to self-contained HTML (either kind)."""

from __future__ import annotations

import base64
import html
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["Block", "render_html", "render_markdown"]


@dataclass(frozen=True, slots=True)
class Block:
    """One element of a report: ``kind`` is h1, h2, p, list, table or figure."""

    kind: str
    content: Any
    caption: str = ""


def _pct(x: float) -> str:
    return "" if x is None or not np.isfinite(x) else f"{x:+.2%}"


def _p(x: float) -> str:
    return "n/a" if x is None or not np.isfinite(x) else f"{x:.3g}"


# ---------------------------------------------------------------------------- rendering


def _md_table(frame: pd.DataFrame) -> str:
    cols = [str(c) for c in frame.columns]

    def cell(x: Any) -> str:
        return str(x).replace("|", "\\|").replace("\n", " ")

    lines = ["| " + " | ".join(cols) + " |", "|" + "|".join("---" for _ in cols) + "|"]
    lines += [
        "| " + " | ".join(cell(x) for x in row) + " |" for row in frame.itertuples(index=False)
    ]
    return "\n".join(lines)


def render_markdown(blocks: Sequence[Block], *, relative_to: Path | None = None) -> str:
    """Markdown text; figures are linked as PNG files (relative to ``relative_to``)."""
    out = []
    for b in blocks:
        if b.kind == "h1":
            out.append(f"# {b.content}")
        elif b.kind == "h2":
            out.append(f"## {b.content}")
        elif b.kind == "p":
            out.append(str(b.content))
        elif b.kind == "list":
            out.append("\n".join(f"- {item}" for item in b.content))
        elif b.kind == "table":
            out.append(_md_table(b.content) if len(b.content) else "(none)")
        elif b.kind == "figure":
            path = Path(b.content)
            rel = path.relative_to(relative_to) if relative_to else path
            out.append(f"![{b.caption}]({rel.as_posix()})\n\n*{b.caption}*")
    return "\n\n".join(out) + "\n"


def _inline_md(text: str) -> str:
    """Escape, then turn **bold** into <strong>."""
    parts = html.escape(str(text)).split("**")
    return "".join(f"<strong>{p}</strong>" if i % 2 else p for i, p in enumerate(parts))


_CSS = """
body{font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;max-width:1100px;margin:2em auto;
padding:0 1em;color:#222;line-height:1.45}
h1{font-size:1.6em;border-bottom:2px solid #444}h2{font-size:1.25em;margin-top:1.6em;
border-bottom:1px solid #ccc}table{border-collapse:collapse;font-size:.85em;margin:.5em 0;
display:block;overflow-x:auto}th,td{border:1px solid #ddd;padding:3px 7px;text-align:right;
white-space:nowrap}th{background:#f3f3f3}figure{margin:1em 0}figure img{max-width:100%}
figcaption{font-size:.9em;color:#555}li{margin:.25em 0}
"""


def render_html(blocks: Sequence[Block], *, title: str) -> str:
    """Self-contained HTML: figures embedded as base64 PNG, inline CSS, no external URL."""
    body = []
    for b in blocks:
        if b.kind == "h1":
            body.append(f"<h1>{html.escape(str(b.content))}</h1>")
        elif b.kind == "h2":
            body.append(f"<h2>{html.escape(str(b.content))}</h2>")
        elif b.kind == "p":
            body.append(f"<p>{_inline_md(b.content)}</p>")
        elif b.kind == "list":
            body.append("<ul>" + "".join(f"<li>{_inline_md(i)}</li>" for i in b.content) + "</ul>")
        elif b.kind == "table":
            body.append(
                b.content.to_html(index=False, border=0, escape=True)
                if len(b.content)
                else "<p>(none)</p>"
            )
        elif b.kind == "figure":
            data = base64.b64encode(Path(b.content).read_bytes()).decode("ascii")
            cap = html.escape(b.caption)
            body.append(
                f'<figure><img alt="{cap}" src="data:image/png;base64,{data}">'
                f"<figcaption>{cap}</figcaption></figure>"
            )
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title><style>{_CSS}</style></head><body>\n"
        + "\n".join(body)
        + "\n</body></html>\n"
    )
