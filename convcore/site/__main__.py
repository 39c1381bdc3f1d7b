"""``python -m convcore.site OUTDIR [NAMES...] [--notebooks DIR]``: see ``convcore.site``."""
import argparse
import sys
from pathlib import Path

from convcore.site import PAGE_BUDGET, SITE_BUDGET, SiteError, build_site


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser("python -m convcore.site", description="Notebooks as a static site.")
    parser.add_argument("outdir", type=Path, help="folder to write the site into (replaced as a whole)")
    parser.add_argument("names", nargs="*", help="only these notebooks (e.g. 02 07); all by default")
    parser.add_argument("--notebooks", type=Path, default=None,
                        help="folder of .ipynb files (default: notebooks/ here, or the repository's)")
    for what, budget in (("page", PAGE_BUDGET), ("site", SITE_BUDGET)):
        parser.add_argument(f"--{what}-budget", type=float, default=budget / 1e6, metavar="MB",
                            help=f"largest {what} allowed (default %(default)g)")
    args = parser.parse_args(argv)
    try:
        site = build_site(args.outdir, args.notebooks, args.names or None,
                          int(args.page_budget * 1e6), int(args.site_budget * 1e6))
    except SiteError as error:
        print(f"convcore.site: {error}; nothing written", file=sys.stderr)
        return 1
    print(f"{len(site.files)} files, {len(site.pages)} pages, {site.total / 1e6:.2f} MB (budgets: {args.page_budget:g}"
          f" MB a page, {args.site_budget:g} MB the site), built in {site.seconds:.0f} s into {site.outdir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
