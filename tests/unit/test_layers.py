"""Lower layers never import higher ones (docs/decisions/0004): api and ui -> services ->
jobs -> reconcilers -> regions and db, with the domain packages (pure logic) under all of
them; only regions/ talks to OpenStack and only db/ builds queries. Read from the source,
so a new import that breaks the order fails here."""
import ast
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2] / "albatross"
TOP = {"cmd", "wsgi", "devcloud", "regionsim"}
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


def modules(path: pathlib.Path) -> set[str]:
    """Every module name a module imports (at any depth of its code)."""
    out = set()
    for node in ast.walk(ast.parse(path.read_text())):
        out |= {a.name for a in node.names} if isinstance(node, ast.Import) else \
            {node.module} if isinstance(node, ast.ImportFrom) and node.module else set()
    return out


def imports(path: pathlib.Path) -> set[str]:
    """The albatross packages a module imports."""
    return {name.split(".")[1] for name in modules(path)
            if name.startswith("albatross.") and name.count(".") >= 1}


def _sources(*excluded: str):
    for path in ROOT.rglob("*.py"):
        rel = path.relative_to(ROOT)
        if rel.parts[0] not in excluded:
            yield str(rel), path


# clients of their own, not of the regions: the CLI and the dashboard log in to Keystone for
# the Albatross API, the log agent ships lines with its own token, the dev cloud installs
# and checks OpenStack itself
OWN_CLIENTS = ("cmd", "ui", "logs", "devcloud", "regionsim")


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_a_layer_never_imports_a_higher_one(package):
    wrong = {str(path.relative_to(ROOT.parent)): sorted(imports(path) & FORBIDDEN[package])
             for path in (ROOT / package).rglob("*.py")}
    assert not {k: v for k, v in wrong.items() if v}


def test_every_package_has_its_place():
    packages = {p.name for p in ROOT.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    placed = set(FORBIDDEN) | TOP | {"conf", "events", "logs"}
    assert packages <= placed, packages - placed


def test_only_regions_talk_to_openstack():
    """Every openstacksdk and keystoneauth1 call, and every exception class of theirs, is
    regions/' (regions/errors.py names what the layers above catch)."""
    sdk = ("openstack", "keystoneauth1")
    wrong = {rel: sorted(m for m in modules(path) if m.split(".")[0] in sdk)
             for rel, path in _sources("regions", *OWN_CLIENTS)}
    assert not {k: v for k, v in wrong.items() if v}


PROXIES = {"compute", "network", "image", "block_storage", "volume", "identity", "placement",
           "load_balancer", "object_store", "orchestration", "dns"}


def test_only_regions_call_openstack_proxies():
    """Not even through a connection handed over: a call like `conn.network.create_subnet()`
    belongs in a regions/ function (the layers above name what to do, regions/ how)."""
    wrong = {rel: sorted({n.func.value.attr for n in ast.walk(ast.parse(path.read_text()))
                          if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)
                          and isinstance(n.func.value, ast.Attribute)
                          and n.func.value.attr in PROXIES})
             for rel, path in _sources("regions", *OWN_CLIENTS)}
    assert not {k: v for k, v in wrong.items() if v}


def test_only_db_builds_queries():
    """The layers above reach the database through db/'s stores (most of them on the
    runtime), never with SQLAlchemy or a session of their own."""
    wrong = {rel: sorted(m for m in modules(path) if m.split(".")[0] == "sqlalchemy"
                         or m == "albatross.db.engine")
             for rel, path in _sources("db")}
    assert not {k: v for k, v in wrong.items() if v}


def test_reconcilers_declare_locks_and_record_through_the_executor():
    """Locks (Reconciler.lock), mappings, drift and unreachable regions (ctx.records) are
    the executor's to apply, the same for every type: no reconciler takes a lock or opens
    those tables itself."""
    kept = ("albatross.db.locks", "albatross.db.mappings", "albatross.db.policies")
    wrong = {rel: sorted(m for m in modules(path) if m in kept or any(
                 m == "albatross.db" and n in ("locks", "mappings", "policies")
                 for n in _names_from(path, m)))
             for rel, path in _sources(*(p.name for p in ROOT.iterdir() if p.is_dir()
                                         and p.name != "reconcilers"))}
    assert not {k: v for k, v in wrong.items() if v}


def _names_from(path: pathlib.Path, module: str) -> set[str]:
    return {a.name for node in ast.walk(ast.parse(path.read_text()))
            if isinstance(node, ast.ImportFrom) and node.module == module for a in node.names}
