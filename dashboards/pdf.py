"""The one PDF renderer of the packs (the quarterly pack and a closed review's pack).

A pack's PDF is its print page rendered by WeasyPrint, with the print stylesheet read from
the static files on disk (not fetched over HTTP: a single-threaded server would wait on
itself)."""

from django.contrib.staticfiles import finders
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

PACK_STYLESHEET = "css/pack.css"


def pdf_download(
    request: HttpRequest, *, template: str, context: dict, filename: str
) -> HttpResponse:
    """The template rendered as a PDF attachment named `filename`. The template sees
    `for_pdf` set: it then leaves out its stylesheet link (WeasyPrint is handed the sheet)
    and what only the print page has (its links and buttons)."""
    # WeasyPrint loads pango through cffi; import it only when a PDF is asked for.
    from weasyprint import CSS, HTML

    html = render_to_string(template, {**context, "for_pdf": True}, request=request)
    pdf = HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf(
        stylesheets=[CSS(filename=finders.find(PACK_STYLESHEET))]
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
