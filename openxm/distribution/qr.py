"""QR codes of public links, as SVG or PNG (segno: pure Python, no image library)."""

import io

import segno

FORMATS = {"svg": "image/svg+xml", "png": "image/png"}


def qr_code(url: str, fmt: str = "svg", scale: int = 8) -> bytes:
    """The QR code of ``url`` (error correction M, quiet zone of 4 modules)."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}")
    code = segno.make(url, error="m", micro=False)
    out = io.BytesIO()
    if fmt == "svg":
        code.save(out, kind="svg", scale=scale, border=4, xmldecl=True, svgns=True, title=url)
    else:
        code.save(out, kind="png", scale=scale, border=4)
    return out.getvalue()
