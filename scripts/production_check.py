"""Start banzu's production configuration on this machine and check that it serves.

    .venv/bin/python scripts/production_check.py [--keep]

With production settings (BANZU_ENV=production, a fresh SQLite database and file store in a
temporary directory, static files collected) it runs `check --deploy`, starts gunicorn with
deploy/gunicorn.conf.py on a free port, and checks as the reverse proxy would talk to it:

- plain http is redirected to https; through the proxy (X-Forwarded-Proto) the login page
  answers 200 with HSTS, CSP and nosniff headers;
- a static file of the page is served (WhiteNoise, compressed and cached);
- a recommender signs in (CSRF, secure cookies) and downloads the blank Attachment 3 as PDF;
- a body over the cap is refused with 413 before it is read;
- the client's address comes from X-Forwarded-For only from the trusted proxy;
- when nginx is installed: deploy/nginx/banzu.conf, its paths pointed at this checkout and a
  self-signed certificate, passes `nginx -t` and, in front of the same gunicorn, redirects http,
  serves the login page over TLS, serves static files itself and refuses an oversize body (413)
  before any of it reaches gunicorn.

Prints one line per check and exits 1 on the first failure (tests/deploy runs it; so does CI).
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import time
from http.cookies import SimpleCookie
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable
USER, PASSWORD = "prodcheck", "Prod-check-2026-pass!"


class Failed(Exception):
    pass


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def production_env(var: Path, port: int) -> dict[str, str]:
    return {
        "PATH": os.environ["PATH"],
        "HOME": os.environ.get("HOME", str(var)),
        "LANG": "C.UTF-8",
        "BANZU_ENV": "production",
        "SECRET_KEY": "prod-check-" + "k" * 20 + "-Zx9!q" + "r" * 30,
        "BANZU_AUDIT_KEY": "prod-check-audit-" + "Qx7!" * 12,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "CSRF_TRUSTED_ORIGINS": f"https://127.0.0.1:{port}",
        "SITE_URL": f"https://127.0.0.1:{port}",
        "BANZU_VAR_DIR": str(var),
        "SQLITE_PATH": str(var / "banzu.sqlite3"),
        "BANZU_TRUSTED_PROXIES": "127.0.0.1",
        "BANZU_BIND": f"127.0.0.1:{port}",
        "BANZU_WORKERS": "2",
        "BANZU_THREADS": "4",
        "BANZU_ACCESS_LOG": str(var / "access.log"),
        "STATIC_ROOT": str(var / "static"),
        # The fonts reduced once for this checkout (`manage.py prepare_fonts`), not again.
        "BANZU_FONT_DIR": str(ROOT / "var" / "fonts"),
    }


def manage(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(  # noqa: S603 - our own interpreter and manage.py
        [PY, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise Failed(f"manage.py {' '.join(args)}: {result.stderr.strip()[-800:]}")
    return result.stdout


class Client:
    """http.client as the proxy speaks to gunicorn: X-Forwarded-Proto https, the client's address
    in X-Forwarded-For, cookies kept by hand (they are Secure, so no library would send them over
    plain http)."""

    def __init__(self, port: int, *, timeout: float = 30) -> None:
        self.port = port
        self.timeout = timeout
        self.cookies: dict[str, str] = {}

    def request(
        self,
        method: str,
        path: str,
        *,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
        proxied: bool = True,
    ) -> tuple[int, dict[str, str], bytes]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
        sent = {"Host": f"127.0.0.1:{self.port}", **(headers or {})}
        if proxied:
            sent.setdefault("X-Forwarded-Proto", "https")
            sent.setdefault("X-Forwarded-For", "203.0.113.77")
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        connection.request(method, path, body=body, headers=sent)
        response = connection.getresponse()
        data = response.read()
        for value in response.headers.get_all("Set-Cookie") or []:
            cookie = SimpleCookie()
            cookie.load(value)
            for key, morsel in cookie.items():
                self.cookies[key] = morsel.value
        found = {k.lower(): v for k, v in response.getheaders()}
        connection.close()
        return response.status, found, data


def expect(condition: bool, what: str) -> None:
    if not condition:
        raise Failed(what)
    print(f"ok   {what}")


def wait_until_serving(port: int, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise Failed(f"gunicorn exited with {server.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise Failed("gunicorn did not start within 30 s")


def checks(port: int, var: Path) -> None:
    client = Client(port)
    status, headers, _body = client.request("GET", "/accounts/login/", proxied=False)
    expect(
        status == 301 and headers.get("location", "").startswith("https://"),
        "plain http is redirected to https",
    )
    status, headers, body = client.request("GET", "/accounts/login/")
    expect(status == 200, "the login page answers 200 through the proxy")
    expect("max-age=31536000" in headers.get("strict-transport-security", ""), "HSTS is sent")
    expect("default-src 'self'" in headers.get("content-security-policy", ""), "CSP is sent")
    expect(headers.get("x-content-type-options") == "nosniff", "nosniff is sent")
    static = re.search(rb'href="(/static/[^"]+\.css)"', body)
    expect(static is not None, "the page links its stylesheet from /static/")
    assert static is not None
    status, headers, css = client.request(
        "GET", static.group(1).decode(), headers={"Accept-Encoding": "gzip"}
    )
    expect(
        status == 200 and len(css) > 100 and "max-age" in headers.get("cache-control", ""),
        f"the static file {static.group(1).decode()} is served with a cache lifetime",
    )
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)
    expect(token is not None, "the login form carries a CSRF token")
    assert token is not None
    form = f"csrfmiddlewaretoken={token.group(1).decode()}&username={USER}&password={PASSWORD}"
    status, headers, _body = client.request(
        "POST",
        "/accounts/login/",
        body=form.encode(),
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Referer": f"https://127.0.0.1:{port}/accounts/login/",
            "Origin": f"https://127.0.0.1:{port}",
        },
    )
    expect(status == 302 and "sessionid" in client.cookies, "a recommender signs in")
    status, headers, pdf = client.request("GET", "/documents/editions/2026/attachment3.pdf")
    expect(
        status == 200
        and pdf.startswith(b"%PDF")
        and "attachment" in headers.get("content-disposition", ""),
        f"the blank Attachment 3 downloads as PDF ({len(pdf):,} bytes)",
    )
    status, _headers, _body = client.request(
        "POST",
        "/accounts/login/",
        headers={
            "Content-Type": "multipart/form-data; boundary=x",
            "Content-Length": str(2 * 1024**3),
        },
    )
    expect(status == 413, "a 2 GiB body is refused with 413 before it is read")
    journal = manage(
        production_env(var, port),
        "shell",
        "--no-imports",
        "-c",
        "from banzu.audit.models import AuditEntry;"
        "print(AuditEntry.objects.filter(action='account.login')"
        ".order_by('-pk').values_list('ip', flat=True).first())",
    ).strip()
    expect(journal == "203.0.113.77", f"the journal records the client's address ({journal})")


def nginx_conf(var: Path, port: int, http_port: int, https_port: int) -> Path:
    """deploy/nginx/banzu.conf as a whole nginx.conf for this machine: its own ports, the upstreams
    on the gunicorn started here, this checkout's paths and a self-signed certificate."""
    subprocess.run(  # noqa: S603 - fixed argv
        [
            "/usr/bin/openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=127.0.0.1",
            "-keyout",
            str(var / "key.pem"),
            "-out",
            str(var / "cert.pem"),
        ],
        check=True,
        capture_output=True,
    )
    site = (ROOT / "deploy" / "nginx" / "banzu.conf").read_text()
    site = "\n".join(line for line in site.splitlines() if "[::]" not in line)
    for old, new in (
        ("listen 80;", f"listen 127.0.0.1:{http_port};"),
        ("listen 443 ssl http2;", f"listen 127.0.0.1:{https_port} ssl http2;"),
        ("127.0.0.1:8000", f"127.0.0.1:{port}"),
        ("127.0.0.1:8001", f"127.0.0.1:{port}"),
        ("/etc/ssl/banzu/fullchain.pem", str(var / "cert.pem")),
        ("/etc/ssl/banzu/privkey.pem", str(var / "key.pem")),
        ("/opt/banzu/deploy/nginx/", str(ROOT / "deploy" / "nginx") + "/"),
        ("/opt/banzu/staticfiles/", str(var / "static") + "/"),
        (
            "return 301 https://$host$request_uri;",
            f"return 301 https://$host:{https_port}$request_uri;",
        ),
    ):
        if old not in site:
            raise Failed(f"deploy/nginx/banzu.conf no longer holds {old!r}")
        site = site.replace(old, new)
    temp = var / "nginx"
    temp.mkdir()
    conf = var / "nginx.conf"
    conf.write_text(
        f"daemon off;\nworker_processes 1;\npid {var}/nginx.pid;\n"
        f"error_log {var}/nginx-error.log;\nevents {{}}\nhttp {{\n"
        f"access_log {var}/nginx-access.log;\nclient_body_temp_path {temp}/body;\n"
        f"proxy_temp_path {temp}/proxy;\nfastcgi_temp_path {temp}/fastcgi;\n"
        f"uwsgi_temp_path {temp}/uwsgi;\nscgi_temp_path {temp}/scgi;\n"
        "types { text/css css; application/javascript js; image/png png; }\n"
        f"{site}\n}}\n"
    )
    return conf


def nginx_checks(var: Path, port: int) -> None:
    nginx = shutil.which("nginx") or (
        "/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None
    )
    if nginx is None:
        print("skip nginx is not installed: deploy/nginx/banzu.conf not checked")
        return
    # nginx's workers run as an unprivileged user and read the static files themselves: in a
    # deployment /opt/banzu/staticfiles is world-readable; here the temporary folder is made so.
    var.chmod(0o755)
    http_port, https_port = free_port(), free_port()
    conf = nginx_conf(var, port, http_port, https_port)
    tested = subprocess.run(  # noqa: S603 - fixed argv
        [nginx, "-t", "-c", str(conf)], capture_output=True, text=True, check=False
    )
    expect(
        tested.returncode == 0,
        f"nginx -t accepts deploy/nginx/banzu.conf ({tested.stderr.strip().splitlines()[-1]})",
    )
    server = subprocess.Popen(  # noqa: S603 - fixed argv
        [nginx, "-c", str(conf)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        wait_until_serving(https_port, server)
        plain = http.client.HTTPConnection("127.0.0.1", http_port, timeout=10)
        plain.request("GET", "/accounts/login/")
        answer = plain.getresponse()
        expect(
            answer.status == 301
            and answer.getheader("Location", "").startswith(f"https://127.0.0.1:{https_port}/"),
            "nginx redirects http to https",
        )
        context = ssl._create_unverified_context()  # noqa: S323 - our own self-signed certificate
        tls = http.client.HTTPSConnection("127.0.0.1", https_port, timeout=30, context=context)
        tls.request("GET", "/accounts/login/")
        page = tls.getresponse()
        body = page.read()
        expect(
            page.status == 200
            and "max-age=31536000" in (page.getheader("Strict-Transport-Security") or ""),
            "nginx serves the login page over TLS, through gunicorn, with HSTS",
        )
        static = re.search(rb'href="(/static/[^"]+\.css)"', body)
        assert static is not None
        tls.request("GET", static.group(1).decode())
        css = tls.getresponse()
        css.read()
        expect(
            css.status == 200 and "immutable" in (css.getheader("Cache-Control") or ""),
            f"nginx serves the static files itself (Cache-Control: immutable; got {css.status}"
            f" {css.getheader('Cache-Control')})",
        )
        tls.close()
        big = http.client.HTTPSConnection("127.0.0.1", https_port, timeout=30, context=context)
        big.putrequest("POST", "/applications/1/files/")
        big.putheader("Content-Type", "multipart/form-data; boundary=x")
        big.putheader("Content-Length", str(200 * 1024 * 1024))
        big.endheaders()
        refused = big.getresponse()
        expect(refused.status == 413, "nginx refuses a 200 MB body with 413 before reading it")
        big.close()
    finally:
        server.terminate()
        server.wait(timeout=30)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    options = parser.parse_args()
    var = Path(tempfile.mkdtemp(prefix="banzu-prod-"))
    port = free_port()
    env = production_env(var, port)
    server: subprocess.Popen[bytes] | None = None
    try:
        manage(env, "migrate", "--noinput")
        manage(env, "collectstatic", "--noinput")
        manage(env, "prepare_fonts")
        out = manage(env, "check", "--deploy", "--fail-level", "WARNING")
        expect("no issues" in out, "check --deploy is clean with production settings")
        manage(
            env,
            "shell",
            "--no-imports",
            "-c",
            "from banzu.accounts.models import Recommender;"
            "from banzu.accounts.services import create_user;"
            f"create_user(by=None, username='{USER}', password='{PASSWORD}', role='recommender',"
            " recommender=Recommender.objects.order_by('pk').first())",
        )
        server = subprocess.Popen(  # noqa: S603 - our own interpreter and gunicorn
            [PY, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py", "banzu.wsgi"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=open(var / "gunicorn.log", "wb"),  # noqa: SIM115
        )
        wait_until_serving(port, server)
        print(f"ok   gunicorn (gthread, 2 workers × 4 threads) serves on 127.0.0.1:{port}")
        checks(port, var)
        nginx_checks(var, port)
    except Failed as failed:
        print(f"FAIL {failed}")
        log = var / "gunicorn.log"
        if log.exists():
            print(log.read_text()[-2000:])
        return 1
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        if not options.keep:
            shutil.rmtree(var, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
