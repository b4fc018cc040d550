"""Form bodies as text: no panel form has a file field."""

from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request


async def text_form(request: Request) -> FormData:
    """The request's form, with a file smuggled into a multipart body read as an empty field.

    Starlette spools uploads to temporary files that nothing closes for a plain Starlette route
    (SQLAdmin's): they are closed here, once the text is copied.
    """
    form = await request.form()
    try:
        items: list[tuple[str, str | UploadFile]] = [
            (key, value if isinstance(value, str) else "") for key, value in form.multi_items()
        ]
    finally:
        await form.close()
    return FormData(items)
