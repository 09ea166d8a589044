"""The layout holds: every app uses only the apps below it, with a few named exceptions, and no cycles.

The order (lowest first) is INSTALLED_APPS' and the README's layout section. Imports inside
functions count like any other: a lazy import is a dependency all the same. Tests and
migrations may reach anywhere.
"""

import ast
import re
from collections import defaultdict
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]

README = ROOT / "README.md"


def read_layout() -> tuple[list[str], dict[tuple[str, str], str]]:
    """The apps (lowest first) and the named upward exceptions, as the README's layout section writes them."""
    section = README.read_text().split("## Layout", 1)[1].split("\n## ", 1)[0]
    block = section.split("```", 2)[1]
    layers = [match.group(1) for match in re.finditer(r"^(\w+)/\s", block, re.M)]
    layers = [app for app in layers if (ROOT / app / "apps.py").exists()]
    exceptions = {}
    for match in re.finditer(r"^- (\w+) → ((?:`[\w.]+`(?:, )?)+): (.+(?:\n  .+)*)", section, re.M):
        reason = " ".join(match.group(3).split())
        for target in re.findall(r"`([\w.]+)`", match.group(2)):
            exceptions[(match.group(1), target)] = reason
    return layers, exceptions


# Lowest first: an app may import the apps before it. The README's layout section is the one
# place the order and its exceptions are written.
LAYERS, UPWARD_EXCEPTIONS = read_layout()


def project_modules() -> dict[str, Path]:
    modules = {}
    for app in LAYERS:
        for path in (ROOT / app).rglob("*.py"):
            if "tests" in path.parts or "migrations" in path.parts:
                continue
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts = parts[:-1]
            modules[".".join(parts)] = path
    return modules


MODULES = project_modules()


def imports_of(module: str, path: Path, *, top_level_only: bool) -> set[str]:
    """The project modules this module imports (``from a.b import c`` counts a.b.c when c is a module)."""
    tree = ast.parse(path.read_text())
    package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
    nodes = tree.body if top_level_only else ast.walk(tree)
    found = set()
    for node in nodes:
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package[: len(package) - (node.level - 1)]
                base = ".".join(anchor + ([node.module] if node.module else []))
            names = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base for alias in node.names]
        else:
            continue
        found.update(name for name in names if name.split(".")[0] in LAYERS)
    return found


def owning_module(name: str) -> str:
    """The project module a dotted import resolves to (its longest known prefix)."""
    parts = name.split(".")
    while parts and ".".join(parts) not in MODULES:
        parts.pop()
    return ".".join(parts)


def test_the_readme_names_every_project_app_and_its_exceptions():
    project_apps = sorted(path.parent.name for path in ROOT.glob("*/apps.py"))
    assert sorted(LAYERS) == project_apps
    assert LAYERS[0] == "iop"
    assert set(UPWARD_EXCEPTIONS) == {
        ("patients", "audit.services"),
        ("patients", "audit.constants"),
        ("patients", "notifications.services"),
        ("patients", "notifications.constants"),
        ("testing", "medications.selectors"),
    }


def test_installed_apps_list_the_project_apps_in_layer_order():
    installed = [app for app in settings.INSTALLED_APPS if app in LAYERS]
    assert installed == LAYERS


def test_every_app_imports_only_apps_below_it_or_a_named_exception():
    wrong = []
    for module, path in MODULES.items():
        app = module.split(".")[0]
        for imported in imports_of(module, path, top_level_only=False):
            other = imported.split(".")[0]
            if LAYERS.index(other) <= LAYERS.index(app):
                continue
            allowed = [target for source, target in UPWARD_EXCEPTIONS if source == app]
            if any(imported == target or imported.startswith(target + ".") for target in allowed):
                continue
            wrong.append(f"{module} imports {imported}")
    assert not wrong, "imports up the stack:\n" + "\n".join(sorted(wrong))


def test_the_named_exceptions_are_still_needed():
    used = set()
    for module, path in MODULES.items():
        app = module.split(".")[0]
        for imported in imports_of(module, path, top_level_only=False):
            for exception_app, allowed in UPWARD_EXCEPTIONS:
                if app == exception_app and (imported == allowed or imported.startswith(allowed + ".")):
                    used.add((exception_app, allowed))
    assert used == set(UPWARD_EXCEPTIONS)


def test_no_module_level_import_cycle():
    graph = defaultdict(set)
    for module, path in MODULES.items():
        for imported in imports_of(module, path, top_level_only=True):
            target = owning_module(imported)
            if target and target != module:
                graph[module].add(target)
            # Importing a.b.c runs a/__init__ and a/b/__init__ first.
            parts = target.split(".")
            for depth in range(1, len(parts)):
                parent = ".".join(parts[:depth])
                if parent in MODULES and parent != module and not module.startswith(parent + "."):
                    graph[module].add(parent)
    cycles = strongly_connected_components(graph)
    assert not cycles, "module-level import cycles:\n" + "\n".join(" → ".join(sorted(c)) for c in cycles)


def strongly_connected_components(graph) -> list[set[str]]:
    """Tarjan's algorithm; only components of more than one module (a cycle) are returned."""
    index, lowlink, on_stack, stack, result = {}, {}, set(), [], []
    counter = [0]

    def visit(node):
        index[node] = lowlink[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for successor in graph.get(node, ()):
            if successor not in index:
                visit(successor)
                lowlink[node] = min(lowlink[node], lowlink[successor])
            elif successor in on_stack:
                lowlink[node] = min(lowlink[node], index[successor])
        if lowlink[node] == index[node]:
            component = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.add(member)
                if member == node:
                    break
            if len(component) > 1:
                result.append(component)

    for node in list(graph):
        if node not in index:
            visit(node)
    return result


@pytest.mark.parametrize("app_label", [app for app in LAYERS if app not in ("iop", "demo")])
def test_models_point_only_down_the_stack(app_label):
    wrong = []
    for model in apps.get_app_config(app_label).get_models():
        for field in model._meta.get_fields():
            if not (field.is_relation and field.concrete and field.related_model):
                continue
            target = field.related_model._meta.app_label
            if target in LAYERS and LAYERS.index(target) > LAYERS.index(app_label):
                wrong.append(f"{model.__name__}.{field.name} → {target}")
    assert not wrong


def test_the_cycle_check_finds_a_cycle():
    assert strongly_connected_components({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [{"a", "b", "c"}]
