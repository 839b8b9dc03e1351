"""WeasyPrint's resource loader, limited to local files inside the allowed folders."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlparse


def local_fetcher(folders: list[Path]):
    """WeasyPrint's resource loader, limited to files inside the given folders: no network, no escapes."""
    from weasyprint.urls import URLFetcher

    allowed = [folder.resolve() for folder in folders]

    class LocalFetcher(URLFetcher):
        refused: list[str] = []

        def fetch(self, url: str, headers=None):
            parsed = urlparse(url)
            if parsed.scheme == "file":
                path = Path(unquote(parsed.path)).resolve()
                if not any(path.is_relative_to(folder) for folder in allowed):
                    self.refused.append(f"refused to read '{path}': it is outside the manuscript and style folders")
                    raise ValueError("file outside the allowed folders")
            elif parsed.scheme != "data":
                self.refused.append(f"refused to fetch '{url}': builds never use the network; "
                                    "save the file in the manuscript folder")
                raise ValueError("network access is disabled")
            return super().fetch(url, headers)

    fetcher = LocalFetcher(allowed_protocols={"file", "data"}, allow_redirects=False)
    fetcher.refused = []
    return fetcher
