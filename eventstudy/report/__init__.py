"""Reports of either kind of study: blocks rendered to Markdown and HTML, figures saved as PNG,
and the machine-readable record (``result.json``). Reads result objects; never runs a study."""
