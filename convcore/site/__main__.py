"""``python -m convcore.site OUTDIR [NAMES...] [--notebooks DIR]``: see ``convcore.site``."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from convcore.site import PAGE_BUDGET, SITE_BUDGET, SiteError, build_site


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m convcore.site",
                                     description="Execute a folder of notebooks and write them as a static site.")
    parser.add_argument("outdir", type=Path, help="folder to write the site into (replaced as a whole)")
    parser.add_argument("names", nargs="*", help="only these notebooks (e.g. 02 07); all by default")
    parser.add_argument("--notebooks", type=Path, default=None,
                        help="folder of .ipynb files (default: notebooks/ here, or the repository's)")
    parser.add_argument("--page-budget", type=float, default=PAGE_BUDGET / 1e6, metavar="MB",
                        help="largest page allowed (default %(default)g)")
    parser.add_argument("--site-budget", type=float, default=SITE_BUDGET / 1e6, metavar="MB",
                        help="largest site allowed (default %(default)g)")
    args = parser.parse_args(argv)
    try:
        site = build_site(args.outdir, args.notebooks, args.names or None,
                          int(args.page_budget * 1e6), int(args.site_budget * 1e6))
    except SiteError as error:
        print(f"convcore.site: {error}; nothing written", file=sys.stderr)
        return 1
    print(site.summary())
    for page in site.pages:
        for note in dict.fromkeys(page.notes):
            print(f"note: {page.file}: {page.notes.count(note)}× {note}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
