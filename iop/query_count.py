"""Queries per request, for the benchmark: only installed when ``IOP_BENCH=1`` (see iop/settings.py)."""

from contextlib import ExitStack

from django.db import connections


class QueryCountMiddleware:
    """Count every SQL statement a request runs and report it in ``X-Query-Count``.

    It wraps the connections with ``execute_wrapper`` rather than reading
    ``connection.queries``, so it works with DEBUG off, as the benchmark runs.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        counter = QueryCounter()
        with ExitStack() as stack:
            for alias in connections:
                stack.enter_context(connections[alias].execute_wrapper(counter))
            response = self.get_response(request)
        response["X-Query-Count"] = str(counter.count)
        return response


class QueryCounter:
    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)
