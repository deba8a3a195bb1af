"""Reading a rendered page."""

import re


def page_text(response) -> str:
    """The page's HTML with every run of whitespace as one space."""
    return re.sub(r"\s+", " ", response.content.decode())
