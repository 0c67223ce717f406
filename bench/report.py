"""`make bench-report`: the README's measured figures, written from the newest
committed bench run, so that every figure it shows names the file it came
from.

The README holds the generated text between two markers. `--check` (run by
`make check`, so by CI) fails when that text is not what the newest file in
`bench/results/` gives: a new run was committed without rewriting the README,
or the README was edited by hand.
"""

import argparse
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS_DIR = ROOT / "bench" / "results"
README = ROOT / "README.md"
TARGETS = ROOT / "bench" / "targets.json"
GROWTH = RESULTS_DIR / "growth.json"
START = "<!-- bench-report: start (make bench-report writes this part; edit bench/report.py instead) -->"
END = "<!-- bench-report: end -->"
RUN_FILE = re.compile(r"^\d{4}-\d{2}-\d{2}-[0-9a-f]{7}(-dirty)?\.json$")

PAGES = {
    "trivial_view": "trivial Django view",
    "home": "home",
    "section": "section",
    "article": "story",
    "series_hub": "series hub",
    "franchise": "franchise",
    "author": "author",
    "search": "search (database)",
    "feed": "RSS feed, latest",
    "section_feed": "section feed",
    "series_feed": "series feed",
    "franchise_feed": "franchise feed",
    "author_feed": "author feed",
    "sitemap_index": "sitemap index",
    "sitemap_pages": "sitemap, pages file",
    "sitemap_stories": "sitemap, a full file of 1,000 stories",
    "news_sitemap": "news sitemap",
    "api_listing": "API listing, 20 stories",
    "nginx_static": "nginx, a static file of the story's size",
    "article_via_varnish": "story through Varnish",
}
SEARCH_BACKENDS = {
    "talkies_postgresql": "ours, PostgreSQL",
    "talkies_sqlite": "ours, SQLite",
    "wagtail_postgresql_and": 'Wagtail\'s database backend, PostgreSQL, "and"',
    "wagtail_postgresql_or": 'Wagtail\'s database backend, PostgreSQL, "or"',
    "wagtail_sqlite_and": 'Wagtail\'s database backend, SQLite, "and"',
    "wagtail_sqlite_or": 'Wagtail\'s database backend, SQLite, "or"',
    "opensearch": "OpenSearch client on osmem",
}


def run_files():
    """The committed runs, oldest first (by the date each file records)."""
    files = [path for path in RESULTS_DIR.glob("*.json") if RUN_FILE.match(path.name)]
    return sorted(files, key=lambda path: (json.loads(path.read_text())["date"], path.name))


def number(value, digits=1):
    if isinstance(value, int):
        return f"{value:,}"
    return f"{value:,.{digits}f}"


def table(header, rows):
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join("---" for _ in header) + " |"]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def figure(results, path):
    value = results
    for key in path.split("."):
        value = value[key]
    return value


def target_rows(results, targets):
    rows, missed = [], 0
    for name, target in targets.items():
        try:
            value = figure(results, target["figure"])
        except KeyError:
            rows.append((name, "not measured in this run", limit_text(target), "not measured"))
            continue
        ok = value <= target["at_most"] if "at_most" in target else value >= target["at_least"]
        missed += not ok
        rows.append((name, value, limit_text(target), "met" if ok else "**missed**"))
    return rows, missed


def limit_text(target):
    return f"≤ {target['at_most']}" if "at_most" in target else f"≥ {target['at_least']}"


def describe_run(path, results):
    settings, machine = results["settings"], results["machine"]
    revision = results["revision"]
    short = revision[:7] + (" (uncommitted changes)" if revision.endswith("-dirty") else "")
    facts = [f"{machine['nproc']} cores"]
    facts += [machine[key] for key in ("cpu",) if machine.get(key)]
    if machine.get("memory_gib"):
        facts.append(f"{machine['memory_gib']} GiB")
    if machine.get("postgresql"):
        facts.append(f"PostgreSQL {machine['postgresql'].split()[0]}")
    facts.append(f"Python {machine['python']}")
    return (
        f"From `{path.relative_to(ROOT)}`: `make bench` at `{short}` on {results['date'][:10]}, "
        f"{settings['articles']:,} stories, {settings['rounds']} rounds of {settings['seconds_per_run']} s, "
        f"on {', '.join(facts)}."
    )


def reader_pages(results):
    off, warm = results["page_cache_off"], results.get("page_cache_warm", {})
    queries = {name: row["queries"] for name, row in results.get("queries_per_page", {}).items()}
    rows = []
    for name, label in PAGES.items():
        if name not in off:
            continue
        cold, hot = off[name]["c2"], warm.get(name, {}).get("c2")
        rows.append(
            (
                label,
                number(cold["rps"], 0),
                number(cold["cpu_ms_per_request"], 2),
                f"{cold['x_trivial_cpu']} ×" if name != "nginx_static" else "",
                queries.get(name, "0" if name == "trivial_view" else ""),
                f"{hot['x_trivial_rps']} ×" if hot else "",
            )
        )
    return table(
        (
            "page (2 connections)",
            "page cache off: requests/s",
            "CPU ms a request",
            "× the trivial view's CPU",
            "queries, nothing cached",
            "page cache warm: requests/s × the trivial view's",
        ),
        rows,
    )


def after_publish(results):
    measured = results.get("page_cache_off_in_process")
    if not measured:
        return ""
    rows = [
        (PAGES.get(name, name), f"{row['x_trivial_cpu']} ×", f"{row['x_trivial_cpu_after_publish']} ×")
        for name, row in measured.items()
        if name != "trivial_view"
    ]
    return (
        "In one process (`bench/probe.py after_publish`), CPU as a multiple of the trivial view's: "
        "between publishes, and on the first request after a publish, which re-reads what the publish "
        "changed:\n\n" + table(("page", "steady", "first request after a publish"), rows)
    )


def varnish_and_mixed(results):
    lines = []
    varnish = results.get("page_cache_warm", {}).get("article_via_varnish")
    if varnish:
        lines.append(
            "- The story through Varnish: "
            + ", ".join(
                f"{number(figures['rps'], 0)} requests/s at {connections[1:]} connections "
                f"({figures['x_nginx_rps']} × nginx's static file)"
                for connections, figures in varnish.items()
            )
            + "."
        )
    mixed = results.get("mixed_load")
    if mixed:
        lines.append(
            f"- Mixed reader load ({', '.join(PAGES.get(page, page) for page in mixed['pages'])}; "
            f"{mixed['connections']} connections for {mixed['seconds']} s, page cache on): "
            f"{number(mixed['rps'], 0)} requests/s, p50 {mixed['p50_ms']} ms, p99 {mixed['p99_ms']} ms, "
            f"{mixed['server_errors_5xx']} server errors, {mixed['non_2xx']} other non-2xx, "
            f"{mixed['socket_errors']} socket errors, {mixed['cpu_ms_per_request']} CPU ms a request."
        )
    beacon = results.get("beacon")
    if beacon:
        lines.append(
            "- The read beacon (a POST, every request a new reader, counted in Redis), page cache off: "
            + ", ".join(
                f"{number(figures['rps'], 0)} requests/s at {connections[1:]} connections, "
                f"p99 {figures['p99_ms']} ms, {figures['errors']} errors"
                + (f", {figures['x_trivial_cpu']} × the trivial view's CPU" if "x_trivial_cpu" in figures else "")
                for connections, figures in beacon.items()
            )
            + "."
        )
    return "\n".join(lines)


def pictures(results):
    images = results.get("images")
    if not images:
        return ""
    sizes, encode = images["bytes"], images["hero_1280_rendition_cpu_ms"]
    return (
        f"- The story page's {images['pictures']} pictures, the widest file of each as a browser picks it: "
        f"AVIF {sizes['avif']:,} bytes, WebP {sizes['webp']:,}, JPEG {sizes['jpeg']:,} "
        f"(AVIF saves {images['avif_saved_vs_webp_percent']}% against WebP, "
        f"{images['avif_saved_vs_jpeg_percent']}% against JPEG). Making the hero's 1280 px rendition, "
        f"once per image: {', '.join(f'{fmt.upper()} {ms} CPU ms' for fmt, ms in encode.items())}."
    )


def kept_in_search(figures):
    if figures.get("story_cards_kept"):
        return "no results kept (story cards kept, as deployed)"
    return "nothing kept"


def search(results):
    quality = results.get("search_quality", {})
    rows = []
    for name, scores in quality.items():
        label = SEARCH_BACKENDS.get(name)
        if label is None and name.startswith("talkies_postgresql_"):
            label = f"ours, PostgreSQL, inside the {int(name.split('_')[2]):,} bulk stories too"
        rows.append((label or name, scores["ndcg_at_10"], f"{scores['must_find']}/{scores['must_find_total']}"))
    latency = results.get("search", {})
    lines = [table(("search backend, judged set", "nDCG@10", "must-finds in the top ten"), rows)]
    for name, label in (("database_postgresql", "the database on PostgreSQL"), ("opensearch_osmem", "osmem")):
        if name in latency:
            figures = latency[name]
            lines.append(
                f"- The search page in process, {figures['requests']} searches, {kept_in_search(figures)}, {label}: "
                f"p50 {figures['p50_ms']} ms, p95 {figures['p95_ms']} ms."
            )
    return "\n\n".join(lines[:1]) + ("\n\n" + "\n".join(lines[1:]) if lines[1:] else "")


def newsroom_and_workers(results):
    newsroom, lines = results.get("newsroom", {}), []
    if "reindex" in newsroom:
        reindex = newsroom["reindex"]
        lines.append(
            f"- Seeding the demo and the stories: {newsroom['seed_demo_seconds']} s. Reindexing "
            f"{reindex['stories']:,} stories into osmem: {reindex['seconds']} s ({reindex['stories_per_second']}/s)."
        )
    if "edit_view_ms" in newsroom:
        lines.append(
            f"- A {newsroom['blocks']}-block story: the admin edit view {newsroom['edit_view_ms']} ms, "
            f"publishing it {newsroom['publish_request_ms']} ms (the request only), of which the database's "
            f"reader index update {newsroom['index_update_ms']} ms "
            f"(max {newsroom['index_update_max_ms']} ms; {newsroom['index_update_words']:,} words)."
        )
    fan_out = results.get("workers", {}).get("alert_fan_out")
    if fan_out:
        at_relay = (
            f" The relay received {fan_out['emails_received_by_relay']:,} emails for "
            f"{fan_out['distinct_recipients_at_relay']:,} distinct followers (lost "
            f"{fan_out['emails_lost_at_relay']}, doubled {fan_out['emails_doubled_at_relay']})."
            if "emails_received_by_relay" in fan_out
            else ""
        )
        followed = (
            f", {fan_out['publish_request_ms_100k_story']} ms for the story all of them follow"
            if "publish_request_ms_100k_story" in fan_out
            else ""
        )
        lines.append(
            f"- One story alert to {fan_out['followers']:,} followers, one worker (solo pool) over Redis, "
            f"mailing a local SMTP relay: every email received in "
            f"{fan_out['all_emails_handed_over_seconds']} s ({fan_out['emails_per_second']}/s).{at_relay} The publish "
            f"request: {fan_out['publish_request_ms_with_alerts']} ms with the alerts receiver, "
            f"{fan_out['publish_request_ms_without_alerts']} ms without{followed}. The worker's peak memory "
            f"{fan_out['worker_peak_memory_mb']} MB ({fan_out['worker_peak_memory_mb_before']} MB before)."
        )
    return "\n".join(lines)


def growth():
    if not GROWTH.exists():
        return ""
    measured = json.loads(GROWTH.read_text())
    sizes = list(measured["sizes"])
    connections = f"c{measured['settings']['connections']}"
    first = measured["sizes"][sizes[0]]
    rows = [
        (
            PAGES.get(name, name),
            *(f"{measured['sizes'][size]['page_cache_off'][name][connections]['x_trivial_cpu']} ×" for size in sizes),
            " / ".join(str(measured["sizes"][size]["queries_per_page"].get(name, "")) for size in sizes),
        )
        for name in first["page_cache_off"]
        if name != "trivial_view"
    ]
    revision = measured["revision"]
    return (
        f"**Cost against archive size** (`make bench-growth`, from `{GROWTH.relative_to(ROOT)}`, at "
        f"`{revision[:7]}`{' with uncommitted changes' if revision.endswith('-dirty') else ''} on "
        f"{measured['date'][:10]}; each size a fresh database, page cache off, 2 connections). CPU a "
        "request as a multiple of the trivial view's, and queries with nothing cached:\n\n"
        "![CPU a request and queries a page at each archive size](bench/results/growth.png)\n\n"
        + table(("page", *(f"{int(size):,} stories" for size in sizes), "queries at each size"), rows)
    )


def render(path):
    results = json.loads(path.read_text())
    targets = json.loads(TARGETS.read_text())
    rows, missed = target_rows(results, targets)
    parts = [
        START,
        describe_run(path, results),
        "**Reader pages.** Page cache off means the whole-page cache; what sits under it (cards, "
        "fragments, the site and its routes) stays kept, as deployed. Medians of the rounds:",
        reader_pages(results),
        after_publish(results),
        varnish_and_mixed(results),
        growth(),
        "**Search**, the judged set (`tests/search/judged_set.py`) in the demo archive:",
        search(results),
        "**Pictures, the newsroom and the workers.**",
        "\n".join(part for part in (pictures(results), newsroom_and_workers(results)) if part),
        f"**Targets** (`{TARGETS.relative_to(ROOT)}`, which `make bench` enforces): "
        + (f"{missed} missed." if missed else "every one met."),
        table(("target", "measured", "limit", ""), rows),
        END,
    ]
    return "\n\n".join(part for part in parts if part) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="fail if the README does not match the newest run")
    parser.add_argument("--readme", default=str(README))
    options = parser.parse_args()
    files = run_files()
    if not files:
        sys.exit("No bench run is committed under bench/results/: run make bench first")
    readme = Path(options.readme)
    text = readme.read_text()
    pattern = re.compile(re.escape(START) + r".*?" + re.escape(END) + r"\n", re.DOTALL)
    if not pattern.search(text):
        sys.exit(f"{readme.name} has no generated performance part (the bench-report markers)")
    current = pattern.search(text).group(0)
    wanted = render(files[-1])
    if options.check:
        if current != wanted:
            sys.exit(
                f"{readme.name}'s performance figures are not those of {files[-1].relative_to(ROOT)}: "
                "run `make bench-report` and commit the README"
            )
        print(f"{readme.name}'s performance figures match {files[-1].relative_to(ROOT)}")
        return
    readme.write_text(pattern.sub(lambda _: wanted, text, count=1))
    print(f"Wrote {readme.name}'s performance figures from {files[-1].relative_to(ROOT)}")


if __name__ == "__main__":
    main()
