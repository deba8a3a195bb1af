"""QR codes as inline SVG (segno), for links handed over on paper or another phone."""

import io

import segno
from django.utils.safestring import SafeString, mark_safe


def qr_svg(url: str) -> SafeString:
    """An SVG QR code of ``url``. segno writes the SVG itself from the URL: no user text
    reaches it unescaped, so it is safe to put in a page as it is."""
    out = io.BytesIO()
    segno.make(url, error="m").save(out, kind="svg", scale=4, border=2, xmldecl=False, svgclass="qr")
    return mark_safe(out.getvalue().decode())  # noqa: S308  # nosec B308 B703
