"""The print layout end to end: whole or in parallel parts, kept parts, saved page starts, line-break passes and
the WeasyPrint hooks, page-foot notes, printer profiles and the resource fetcher."""
