"""The console's pages: every module here exports ROUTES (a list of Starlette routes), collected by `web.app`."""
