"""Every call to the regions shares one pool and one discovery cache (regions/http.py), with
each session's own authority, and no cookie one answer sets reaches another's request."""
import http.server
import threading

from keystoneauth1 import session as ks_session
from keystoneauth1.token_endpoint import Token

from albatross.regions.http import BoundedCache, SharedHttp


def test_the_discovery_cache_keeps_the_newest_entries_only():
    cache = BoundedCache(3)
    for i in range(5):
        cache[f"u{i}"] = i
    assert list(cache) == ["u2", "u3", "u4"] and cache.get("u0") is None


class _Server:
    """Answers every GET with the token it was sent and a cookie; counts connections."""

    def __init__(self):
        seen = self.seen = {"tokens": [], "cookies": [], "connections": 0}

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def setup(self):
                super().setup()
                seen["connections"] += 1

            def do_GET(self):
                seen["tokens"].append(self.headers.get("X-Auth-Token"))
                seen["cookies"].append(self.headers.get("Cookie"))
                body = b"{}"
                self.send_response(200)
                self.send_header("Set-Cookie", "lb=sticky")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


def test_sessions_share_connections_not_authority_nor_cookies():
    server, shared = _Server(), SharedHttp(hosts=8, per_host=4)
    alice = shared.session(auth=Token(server.url, "alice-token"))
    bob = shared.session(auth=Token(server.url, "bob-token"))
    assert isinstance(alice, ks_session.Session) and alice.session is bob.session
    assert alice._discovery_cache is bob._discovery_cache is shared.discovery
    for who in (alice, bob, alice, bob):
        assert who.get(server.url, authenticated=True).status_code == 200
    assert server.seen["tokens"] == ["alice-token", "bob-token"] * 2
    assert server.seen["cookies"] == [None] * 4   # the cookie set was never sent back
    assert server.seen["connections"] == 1        # one kept-alive connection for both
    server.server.shutdown()


def test_the_environment_is_read_once_unless_proxies_need_it_per_call(monkeypatch, tmp_path):
    monkeypatch.setenv("HOME", str(tmp_path))   # no .netrc there
    for name in ("HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "ALL_PROXY",
                 "all_proxy", "NETRC", "CURL_CA_BUNDLE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/etc/bundle.pem")
    plain = SharedHttp(hosts=8, per_host=4).requests
    assert plain.trust_env is False
    settings = plain.merge_environment_settings("https://h/", {}, None, True, None)
    assert settings["verify"] == "/etc/bundle.pem"   # the bundle still counts
    assert plain.merge_environment_settings("https://h/", {}, None, "/mine.pem",
                                            None)["verify"] == "/mine.pem"
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy:3128")
    proxied = SharedHttp(hosts=8, per_host=4).requests
    assert proxied.trust_env is True
    assert proxied.merge_environment_settings("https://h/", {}, None, True,
                                              None)["proxies"]["https"] == "http://proxy:3128"


def test_a_valid_token_is_answered_without_the_plugins_lock():
    import datetime
    from types import SimpleNamespace

    from albatross.regions.http import valid_token_without_lock

    class Plugin:
        MIN_TOKEN_LIFE_SECONDS = 120

        def __init__(self, lifetime):
            self.auth_ref, self.locked_calls, self.lifetime = None, 0, lifetime

        def get_access(self, session, **kwargs):   # keystoneauth's: lock, check, refresh
            self.locked_calls += 1
            expires = datetime.datetime.now(datetime.UTC) + datetime.timedelta(
                seconds=self.lifetime)
            self.auth_ref = SimpleNamespace(expires=expires)
            return self.auth_ref

    lasting, expiring = Plugin(3600), Plugin(60)   # 60 s: inside the minimum token life
    for plugin in (lasting, expiring):
        valid_token_without_lock(plugin)
        refs = [plugin.get_access(None) for _ in range(5)]
        assert all(r is plugin.auth_ref for r in refs[-1:])
    assert lasting.locked_calls == 1 and expiring.locked_calls == 5
