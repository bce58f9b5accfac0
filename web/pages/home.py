"""The start page: signed out, the sign-in button; signed in, the sections the user's roles open."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from web.pagekit import current, nav_for, render
from web.roles import SUPERVISION


async def home(request: Request) -> Response:
    session = current(request)
    if session is not None and session.user.has_any(SUPERVISION):
        return RedirectResponse("/dashboard", status_code=303)
    return render(request, "home.html", {"sections": nav_for(request, session)}, session=session)


ROUTES = [Route("/", home, methods=["GET"])]
