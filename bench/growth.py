"""`make bench-growth`: does a reader page cost more as the archive grows?

For each archive size (BENCH_GROWTH, default 1,000, 10,000 and 50,000
stories): a fresh bench database, gunicorn with the production settings and
the page cache off (fragments kept, as deployed), and wrk at 2 connections
against the trivial view and the listing pages, as `make bench` measures
them. Prints a table, writes bench/results/growth.json and draws
bench/results/growth.png (CPU per request as a multiple of the trivial
view's, and queries per page, against the number of stories). Fails when a
page passes its `page_cache_off` row of bench/targets.json at any size.
"""

import argparse
import json
import os
import shutil
import sys
import tempfile
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

import redis
import run
from matplotlib.figure import Figure

RESULTS = run.ROOT / "bench" / "results"
PAGES = ("home", "section", "series_hub", "franchise", "search", "sitemap_stories")
CONNECTIONS = 2


def measure_size(stories, database_url, workdir, rounds, seconds):
    redis.Redis.from_url(run.BENCH_CACHE_URL).flushdb()
    var_dir = workdir / "var"
    env = run.django_env(database_url, var_dir, PAGE_CACHE_SECONDS=0)
    run.prepare_database(database_url, stories, env)
    urls = run.probe(env, "urls")
    queries = run.probe(env, "queries")
    port = run.free_port()
    gunicorn = run.start_gunicorn(
        run.django_env(database_url, var_dir, PAGE_CACHE_SECONDS=0, FRAGMENT_CACHE_SECONDS=600), port
    )
    try:
        base = f"http://127.0.0.1:{port}"
        targets = {"trivial_view": (f"{base}/__bench__/trivial", gunicorn)}
        targets.update({name: (base + urls[name], gunicorn) for name in PAGES})
        for url, _ in targets.values():  # warm every cache and connection pool
            for _ in range(run.GUNICORN_WORKERS * 2):
                urllib.request.urlopen(url).read()
        table = run.measure(targets, rounds, seconds, concurrency=(CONNECTIONS,))
        run.add_ratios(table)
    finally:
        gunicorn.stop()
    return {
        "page_cache_off": table,
        "queries_per_page": {name: queries[name]["queries"] for name in PAGES},
        "urls": {name: urls[name] for name in PAGES},
    }


def print_growth(results):
    sizes = list(results["sizes"])
    print(f"\nCPU per request, x the trivial view's, page cache off, {CONNECTIONS} connections (queries)")
    print(f"{'page':<18}" + "".join(f"{int(size):>16,}" for size in sizes))
    for name in PAGES:
        cells = []
        for size in sizes:
            figures = results["sizes"][size]
            cells.append(
                f"{figures['page_cache_off'][name][f'c{CONNECTIONS}']['x_trivial_cpu']:>10} "
                f"({figures['queries_per_page'][name]:>2})"
            )
        print(f"{name:<18}" + "".join(f"{cell:>16}" for cell in cells))


def draw(results, path, limit):
    sizes = [int(size) for size in results["sizes"]]
    figure = Figure(figsize=(11, 4.2), layout="constrained")
    cpu, queries = figure.subplots(1, 2)
    for name in PAGES:
        rows = [results["sizes"][str(size)] for size in sizes]
        cpu.plot(
            sizes, [row["page_cache_off"][name][f"c{CONNECTIONS}"]["x_trivial_cpu"] for row in rows], "o-", label=name
        )
        queries.plot(sizes, [row["queries_per_page"][name] for row in rows], "o-", label=name)
    cpu.axhline(limit, color="crimson", linestyle="--", linewidth=1, label=f"target: {limit}x")
    cpu.set(title="CPU per request, x the trivial view's", xlabel="stories in the archive", xscale="log")
    cpu.set_ylim(0, limit * 1.3)
    queries.set(title="Queries per page (nothing cached)", xlabel="stories in the archive", xscale="log")
    queries.set_ylim(
        0, max(max(row.values()) for row in (v["queries_per_page"] for v in results["sizes"].values())) + 3
    )
    for axes in (cpu, queries):
        axes.set_xticks(sizes, [f"{size:,}" for size in sizes])
        axes.minorticks_off()
        axes.grid(alpha=0.3)
    cpu.legend(fontsize=8, loc="upper left", ncols=2)
    figure.suptitle(f"Talkies reader pages, page cache off, at {results['revision'][:7]}", fontsize=10)
    figure.savefig(path, dpi=110)


def check(results):
    """The `page_cache_off` rows of bench/targets.json, at every size."""
    targets = json.loads(run.TARGETS.read_text())
    missed = []
    print(f"\nTargets ({run.TARGETS.relative_to(run.ROOT)}), at every size")
    for name, target in targets.items():
        page = target["figure"].split(".")[1]
        if not target["figure"].startswith(f"page_cache_off.{page}.c{CONNECTIONS}.") or page not in PAGES:
            continue
        for size, figures in results["sizes"].items():
            value = run.figure(figures, target["figure"])
            ok = value <= target["at_most"]
            verdict = "ok" if ok else "MISSED"
            print(f"  {verdict:<7}{name:<58}{int(size):>7,} stories {value!s:>6}  <= {target['at_most']}")
            if not ok:
                missed.append(f"{name} at {size}")
    return missed


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default=os.environ.get("BENCH_GROWTH", "1000,10000,50000"))
    parser.add_argument("--rounds", type=int, default=int(os.environ.get("BENCH_ROUNDS", 3)))
    parser.add_argument("--seconds", type=int, default=int(os.environ.get("BENCH_SECONDS", 3)))
    options = parser.parse_args()
    sizes = [int(size) for size in options.sizes.split(",")]

    run.ensure_tools()
    database_url = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("DATABASE_URL") or run.DEFAULT_DATABASE_URL
    workdir = Path(tempfile.mkdtemp(prefix="talkies-growth-"))
    results = {
        "revision": run.git_revision(),
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"nproc": os.cpu_count(), "python": sys.version.split()[0]},
        "settings": {"rounds": options.rounds, "seconds_per_run": options.seconds, "connections": CONNECTIONS},
        "sizes": {},
    }
    try:
        for number, stories in enumerate(sizes, 1):
            run.say(f"Archive size {number}/{len(sizes)}: {stories:,} stories")
            results["sizes"][str(stories)] = measure_size(
                stories, database_url, workdir, options.rounds, options.seconds
            )
    finally:
        shutil.rmtree(workdir, ignore_errors=True)

    print_growth(results)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "growth.json").write_text(json.dumps(results, indent=2) + "\n")
    limit = min(
        target["at_most"]
        for target in json.loads(run.TARGETS.read_text()).values()
        if "x_trivial_cpu" in target["figure"]
    )
    draw(results, RESULTS / "growth.png", limit)
    print(f"\nWrote {RESULTS / 'growth.json'} and {RESULTS / 'growth.png'}")
    missed = check(results)
    if missed:
        sys.exit(f"Targets missed: {', '.join(missed)}")


if __name__ == "__main__":
    main()
