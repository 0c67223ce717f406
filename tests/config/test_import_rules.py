"""The house rules for imports, read from the code with `ast` (imports made
inside functions count too: a deferred import is still a dependency).

- No cycle among the apps.
- config/ imports apps only in config/urls.py.
- No app imports config/ (settings come through django.conf, tasks are
  shared_task).
- At most MAX_DEFERRED imports of project modules inside functions, outside
  AppConfig.ready().
"""

import ast
from collections import defaultdict

from tests.support.processes import ROOT

APPS = sorted(
    path.name
    for path in ROOT.iterdir()
    if (path / "__init__.py").exists() and path.name not in {"tests"} and not path.name.startswith(".")
)
MAX_DEFERRED = 10


def project_files():
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" not in path.parts:
                yield app, path


def imported_modules(node, path):
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if isinstance(node, ast.ImportFrom):
        if node.level:  # relative: resolve against the file's package
            package = path.relative_to(ROOT).with_suffix("").parts[: -node.level]
            base = ".".join(package + ((node.module,) if node.module else ()))
            return [base]
        return [node.module]
    return []


def imports():
    """(app, imported app, file, line, deferred, in ready()) for every project import."""
    found = []
    for app, path in project_files():
        tree = ast.parse(path.read_text(), filename=str(path))
        parents = {}
        for parent in ast.walk(tree):
            for child in ast.iter_child_nodes(parent):
                parents[child] = parent
        for node in ast.walk(tree):
            for module in imported_modules(node, path):
                target = module.split(".")[0]
                if target not in APPS:
                    continue
                enclosing, deferred, in_ready = parents.get(node), False, False
                while enclosing is not None:
                    if isinstance(enclosing, ast.FunctionDef | ast.AsyncFunctionDef):
                        deferred = True
                        in_ready = in_ready or enclosing.name == "ready"
                    enclosing = parents.get(enclosing)
                found.append((app, target, path.relative_to(ROOT), node.lineno, deferred, in_ready))
    return found


def where(rows):
    return "\n".join(f"  {file}:{line} ({app} -> {target})" for app, target, file, line, *_ in rows)


def test_no_cycle_among_the_apps():
    edges = defaultdict(list)
    for row in imports():
        if row[0] != row[1] and "config" not in row[:2]:
            edges[row[0]].append(row)

    def reaches(start, goal, seen):
        for row in edges[start]:
            if row[1] == goal or (row[1] not in seen and reaches(row[1], goal, seen | {row[1]})):
                return True
        return False

    cycles = [row for app in APPS for row in edges[app] if reaches(row[1], app, {row[1]})]
    assert not cycles, "imports that close a cycle among the apps:\n" + where(cycles)


def test_config_imports_apps_only_in_urls():
    offending = [
        row for row in imports() if row[0] == "config" and row[1] != "config" and str(row[2]) != "config/urls.py"
    ]
    assert not offending, "config/ imports apps outside urls.py:\n" + where(offending)


def test_no_app_imports_config():
    offending = [row for row in imports() if row[1] == "config" and row[0] != "config"]
    assert not offending, "apps importing config/ (use django.conf and shared_task):\n" + where(offending)


def test_few_imports_are_deferred_into_functions():
    deferred = [row for row in imports() if row[4] and not row[5]]
    assert len(deferred) <= MAX_DEFERRED, (
        f"{len(deferred)} project imports inside functions (at most {MAX_DEFERRED}, AppConfig.ready() aside):\n"
        + where(deferred)
    )
