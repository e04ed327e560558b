"""The ``seabed`` command line: parse options, make one library call, turn user errors into one line.

Exit codes: 0 success; 2 user error (bad config, bad input, existing output directory) with a
one-line message and no traceback; 1 internal error (a bug: traceback shown).

Only the standard library and :mod:`seabed.errors` are imported at module level; each command
imports what it runs, so that ``seabed --version`` and ``seabed --help`` stay under 0.3 s.
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from seabed import __version__
from seabed.errors import SeabedError, Terminated, request_termination

__all__ = ["main"]

EXAMPLES = {
    "check": "example:\n  seabed check configs/minamitorishima.toml",
    "run": "examples:\n  seabed run configs/minamitorishima.toml\n"
           "  seabed run configs/takaya2018_box.toml --out out/takaya --overwrite --crs EPSG:4326\n"
           "  seabed run configs/minamitorishima_eez.toml --scheduler tcp://10.0.0.5:8786",
    "estimate": "example:\n  seabed estimate configs/minamitorishima.toml --out out/mt-resource",
    "supply": "example:\n  seabed supply configs/minamitorishima.toml --resource out/mt-resource --out out/mt-supply",
    "report": "example:\n  seabed report out/minamitorishima",
    "sites": "example:\n  seabed sites",
    "init": "examples:\n  seabed init my-project\n  seabed init ~/okino --site okinotorishima",
}


def _repo_root() -> Path:
    return Path(__file__).resolve().parent.parent


def _cmd_check(args: argparse.Namespace) -> int:
    from seabed.config import load_config
    from seabed.pipeline import check_inputs

    cfg = load_config(args.config)
    report = check_inputs(cfg)
    if not args.quiet:
        print(f"{args.config}: OK — {report}")
    return 0


def _print_result(result, quiet: bool) -> None:
    if quiet:
        return
    print(f"wrote {len(result.outputs)} files to {result.out_dir}")
    for line in result.headlines:
        print(f"  {line}")


def _cmd_run(args: argparse.Namespace, *, supply: bool = True) -> int:
    from seabed.config import load_config
    from seabed.pipeline import run

    cfg = load_config(args.config)
    out = Path(args.out) if args.out else Path("out") / Path(args.config).stem
    scheduler = None
    if args.scheduler is not None:
        from seabed.config.compute import validate_scheduler

        scheduler = validate_scheduler(args.scheduler, field="--scheduler")
    result = run(cfg, out=out, overwrite=args.overwrite, command=sys.argv, supply=supply, reproject_to=args.crs,
                 scheduler=scheduler, progress=None if not args.quiet else False)
    _print_result(result, args.quiet)
    return 0


def _cmd_estimate(args: argparse.Namespace) -> int:
    return _cmd_run(args, supply=False)


def _cmd_supply(args: argparse.Namespace) -> int:
    from seabed.config import load_config
    from seabed.pipeline import run_supply

    cfg = load_config(args.config)
    out = Path(args.out) if args.out else Path("out") / f"{Path(args.config).stem}-supply"
    result = run_supply(cfg, resource_dir=args.resource, out=out, overwrite=args.overwrite, command=sys.argv)
    _print_result(result, args.quiet)
    return 0


def _cmd_report(args: argparse.Namespace) -> int:
    from seabed.outputs.reload import rebuild_report

    path = rebuild_report(args.run_dir)
    if not args.quiet:
        print(f"wrote {path}")
    return 0


def _cmd_sites(args: argparse.Namespace) -> int:
    root = _repo_root()
    configs = sorted((root / "configs").glob("*.toml"))
    grids = sorted((root / "grids").glob("*.nc"))
    print("Shipped configs:")
    for c in configs:
        title = next((ln.split("=", 1)[1].strip().strip('"') for ln in c.read_text().splitlines()
                      if ln.startswith("title")), "")
        print(f"  {c.relative_to(root)}  {title}")
    print("Shipped grids:")
    for g in grids:
        print(f"  {g.relative_to(root)}")
    return 0


def _cmd_init(args: argparse.Namespace) -> int:
    import shlex

    from seabed.project import init_project

    config = init_project(args.directory, site=args.site)
    if not args.quiet:
        shown = Path(args.directory) / config.name
        print(f"wrote {shown} ({args.site}; input paths point at the shipped grids and cores)")
        print(f"next: seabed run {shlex.quote(str(shown))} --out {shlex.quote(str(Path(args.directory) / 'out'))}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (exposed for documentation and tests)."""
    parser = argparse.ArgumentParser(
        prog="seabed",
        description="Rare-earth resources of deep-sea mud, and when domestic supply could offset imports.",
        epilog="Exit codes: 0 ok, 2 user error (one-line message), 1 internal error.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"seabed {__version__}")
    parser.add_argument("-v", "--verbose", action="count", default=0, help="more log output (-vv for debug)")
    parser.add_argument("-q", "--quiet", action="store_true", help="only errors")
    # -q/-v are accepted after the command too (SUPPRESS keeps the global value when absent there).
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("-v", "--verbose", action="count", default=argparse.SUPPRESS, help="more log output")
    common.add_argument("-q", "--quiet", action="store_true", default=argparse.SUPPRESS, help="only errors")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _add = sub.add_parser

    def add_parser(name, **kwargs):
        return _add(name, parents=[common], **kwargs)

    sub.add_parser = add_parser

    p = sub.add_parser("check", help="validate a config and every input it names, computing nothing",
                       epilog=EXAMPLES["check"], formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("config", help="TOML config file")
    p.set_defaults(func=_cmd_check)

    for name, func, text in (
        ("run", _cmd_run, "inputs → grades → resource → supply → report: the whole pipeline"),
        ("estimate", _cmd_estimate, "inputs → grades → resource (no supply stage)"),
    ):
        p = sub.add_parser(name, help=text, description=text, epilog=EXAMPLES[name],
                           formatter_class=argparse.RawDescriptionHelpFormatter)
        p.add_argument("config", help="TOML config file")
        p.add_argument("--out", help="output directory (default: out/<config name>)")
        p.add_argument("--overwrite", action="store_true", help="replace an existing output directory")
        p.add_argument("--crs", help="also write the GeoTIFFs reprojected to this CRS, e.g. EPSG:4326")
        p.add_argument("--scheduler", help="Dask scheduler, overriding [compute] scheduler: synchronous, threads, "
                                           "processes or a dask.distributed address tcp://host:port")
        p.set_defaults(func=func)

    p = sub.add_parser("supply", help="the supply stage alone, on the saved resource of an earlier run",
                       epilog=EXAMPLES["supply"], formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("config", help="TOML config file (its [supply] section is used)")
    p.add_argument("--resource", required=True, help="output directory of `seabed estimate` or `seabed run`")
    p.add_argument("--out", help="output directory (default: out/<config name>-supply)")
    p.add_argument("--overwrite", action="store_true", help="replace an existing output directory")
    p.set_defaults(func=_cmd_supply)

    p = sub.add_parser("report", help="re-render report.html of a run directory from its summary.json",
                       epilog=EXAMPLES["report"], formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("run_dir", help="output directory of `seabed run`")
    p.set_defaults(func=_cmd_report)

    p = sub.add_parser("init", help="start a project: write DIR/config.toml, ready to run from anywhere",
                       epilog=EXAMPLES["init"], formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("directory", metavar="DIR", help="project folder (created if missing; must not hold config.toml)")
    p.add_argument("--site", default="minamitorishima", choices=["minamitorishima", "okinotorishima"],
                   help="the shipped config to start from (default: minamitorishima)")
    p.set_defaults(func=_cmd_init)

    p = sub.add_parser("sites", help="list the shipped configs and grids",
                       epilog=EXAMPLES["sites"], formatter_class=argparse.RawDescriptionHelpFormatter)
    p.set_defaults(func=_cmd_sites)
    return parser


def _raise_terminated(signum, frame) -> None:
    request_termination(signum)


@contextmanager
def _termination_handled() -> Iterator[None]:
    """SIGTERM and SIGHUP raise :class:`Terminated` (main thread only), restored afterwards."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    names = ("SIGTERM", "SIGHUP")
    previous = {n: signal.signal(getattr(signal, n), _raise_terminated) for n in names if hasattr(signal, n)}
    try:
        yield
    finally:
        for n, handler in previous.items():
            signal.signal(getattr(signal, n), handler)


@contextmanager
def _warnings_as_log_lines() -> Iterator[None]:
    """Show a library warning (e.g. ``DuplicateCoreWarning``) as one log line, without source code."""
    import warnings

    def show(message, category, filename, lineno, file=None, line=None) -> None:
        logging.getLogger("seabed").warning("%s: %s", category.__name__, message)

    previous, warnings.showwarning = warnings.showwarning, show
    try:
        yield
    finally:
        warnings.showwarning = previous


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``seabed`` console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    level = logging.ERROR if args.quiet else (logging.WARNING, logging.INFO, logging.DEBUG)[min(args.verbose, 2)]
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    try:
        with _termination_handled(), _warnings_as_log_lines():
            return args.func(args)
    except SeabedError as exc:
        print(f"seabed: error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # stdout piped into e.g. `head`, which closed it: not an error of the run
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second error at exit
        return 0
    except KeyboardInterrupt:
        print("seabed: interrupted; no partial outputs were left", file=sys.stderr)
        return 130
    except Terminated as exc:
        print(f"seabed: stopped by signal {signal.Signals(exc.signum).name}; no partial outputs were left",
              file=sys.stderr)
        return 128 + exc.signum


if __name__ == "__main__":
    sys.exit(main())
