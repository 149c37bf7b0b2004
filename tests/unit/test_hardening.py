"""Issue 14, finding 8, in pure functions: region errors shown to tenants carry no endpoint
URL; CSV cells cannot run as spreadsheet formulas; the dashboard's cookie is Secure behind a
TLS-terminating proxy."""
import csv
import io
from types import SimpleNamespace

import webob
from hypothesis import given, strategies as st
from keystoneauth1 import exceptions as ks_exc
from openstack import exceptions as sdk_exc

from albatross.reconcilers.errors import classify
from albatross.regions.errors import reason
from albatross.services.addresses import as_csv, spreadsheet_safe
from albatross.ui.app import Dashboard

INTERNAL = "http://10.0.0.5:8774/v2.1/servers"


def test_region_errors_never_show_endpoint_urls():
    for exc in (sdk_exc.SDKException(f"Error fetching {INTERNAL}: boom"),
                sdk_exc.HttpException(f"Unauthorized for {INTERNAL}", details=f"at {INTERNAL}",
                                      http_status=409),
                ks_exc.ConnectFailure(f"Unable to establish connection to {INTERNAL}")):
        assert "10.0.0.5" not in reason(exc)
        assert "10.0.0.5" not in classify(exc, "RegionOne").message


@given(st.text())
def test_no_csv_cell_starts_a_formula(name):
    cell = spreadsheet_safe(name)
    assert not cell.startswith(("=", "+", "-", "@", "\t", "\r"))
    assert cell in (name, "'" + name)  # nothing else changes


def test_csv_export_quotes_a_formula_name():
    formula = '=HYPERLINK("http://evil","x")'
    rows = list(csv.DictReader(io.StringIO(as_csv([{"kind": "port", "name": formula}]))))
    assert rows[0]["name"] == "'" + formula and rows[0]["kind"] == "port"


def test_the_session_cookie_is_secure_behind_a_tls_proxy():
    dash = Dashboard.__new__(Dashboard)
    dash.conf = SimpleNamespace(ui=SimpleNamespace(secure_cookies=False))
    for headers, secure in (({}, False), ({"X-Forwarded-Proto": "https"}, True)):
        req, resp = webob.Request.blank("/ui/login", headers=headers), webob.Response()
        dash.set_cookie(req, resp, "albatross_session", "k")
        assert ("secure" in resp.headers["Set-Cookie"].lower()) is secure, headers
