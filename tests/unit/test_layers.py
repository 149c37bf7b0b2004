"""Lower layers never import higher ones (docs/decisions/0004): api and ui -> services ->
jobs -> reconcilers -> regions and db, with the domain packages (pure logic) under all of
them. Read from the source, so a new import that breaks the order fails here."""
import ast
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2] / "albatross"
TOP = {"cmd", "wsgi", "devcloud"}
# package -> the albatross packages it must never import
FORBIDDEN = {
    "api": TOP,
    "ui": TOP | {"api"},
    "services": TOP | {"api", "ui"},
    "jobs": TOP | {"api", "ui", "services"},
    "reconcilers": TOP | {"api", "ui", "services", "jobs"},
    "regions": TOP | {"api", "ui", "services", "jobs", "reconcilers", "db"},
    "db": TOP | {"api", "ui", "services", "jobs", "reconcilers", "regions"},
}
DOMAIN = ("addresses", "images", "indicators", "quota", "secgroups")
for package in DOMAIN:
    FORBIDDEN[package] = TOP | {"api", "ui", "services", "jobs", "reconcilers"}


def imports(path: pathlib.Path) -> set[str]:
    """The albatross packages a module imports (at any depth of its code)."""
    out = set()
    for node in ast.walk(ast.parse(path.read_text())):
        names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
            [node.module] if isinstance(node, ast.ImportFrom) and node.module else []
        for name in names:
            parts = name.split(".")
            if parts[0] == "albatross" and len(parts) > 1:
                out.add(parts[1])
    return out


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_a_layer_never_imports_a_higher_one(package):
    wrong = {str(path.relative_to(ROOT.parent)): sorted(imports(path) & FORBIDDEN[package])
             for path in (ROOT / package).rglob("*.py")}
    assert not {k: v for k, v in wrong.items() if v}


def test_every_package_has_its_place():
    packages = {p.name for p in ROOT.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    placed = set(FORBIDDEN) | TOP | {"conf", "events", "logs"}
    assert packages <= placed, packages - placed
