"""The measuring core of the deadline burst (bench/deadline_burst.py), apart from its servers.

- `materials_docx(i)`: applicant i's Word materials, a few pages of Chinese text, distinct bytes;
- `seed_applicants(n)`: n applicants (user, enterprise, draft application of the active edition,
  its deadline open) made through the services, each with a signed-in session, as the demo does;
- `prepare()` opens each applicant's files page once (the CSRF token of its upload form);
- `run_burst()` sends every upload at the same instant, one thread each, while a prober fetches
  the login page every 200 ms, and times both;
- `stored_figures()` reads the database and the file store: stored rows, hashes, orphans.

The HTTP side speaks as the reverse proxy does (scripts/production_check.py's Client); the
seeding and the stored figures need Django set up on the same database as the server.
tests/deploy/test_deadline_burst_smoke.py runs all of it with three applicants on live_server.
"""

from __future__ import annotations

import hashlib
import html
import io
import math
import random
import re
import statistics
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scripts.production_check import Client

USERNAME_PREFIX = "burst"
PROBE_INTERVAL_S = 0.2
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
KIND = "materials_docx"  # DocumentKind.MATERIALS_DOCX, the Word slot of the materials

_PHRASES = [
    "班组围绕关键顾客需求开展质量改进活动",
    "坚持“三检制”把好每一道工序的质量关",
    "钢筋绑扎间距与保护层厚度逐根复核",
    "混凝土浇筑前对模板支撑体系进行验收",
    "测量放线采用全站仪复测并留存记录",
    "每周召开质量分析会查找问题根源",
    "运用排列图与因果图分析主要缺陷",
    "制定对策表明确责任人与完成时间",
    "一次验收合格率由百分之九十二提高到百分之九十八",
    "开展师带徒活动提升新进员工技能",
    "推行样板引路制度统一施工工艺标准",
    "建立班组质量信息看板实时公开数据",
    "对不合格品进行标识隔离与评审处置",
    "结合BIM模型进行管线综合排布",
    "开展QC小组活动形成标准化作业指导书",
    "落实安全技术交底与班前讲话制度",
    "质量成本分析显示返工费用明显下降",
    "顾客满意度调查结果持续保持在九十分以上",
    "将改进成果固化为企业工法并推广应用",
    "班组成员全员参与质量知识竞赛",
]
_SECTIONS = ["一、班组概况", "二、质量管理活动", "三、改进成果与效益", "四、经验与体会"]


def materials_docx(index: int) -> bytes:
    """Applicant `index`'s materials: four sections on four pages, about 6,000 characters."""
    from docx import Document

    rng = random.Random(index)
    document = Document()
    document.add_heading(f"质量信得过班组建设成果材料（第{index + 1:03d}号）", 0)
    for number, title in enumerate(_SECTIONS):
        if number:
            document.add_page_break()
        document.add_heading(title, 1)
        for _paragraph in range(6):
            sentences = [rng.choice(_PHRASES) for _ in range(rng.randint(6, 10))]
            number_note = f"（记录编号{rng.randint(1000, 9999)}）。"
            document.add_paragraph("，".join(sentences) + number_note)
    table = document.add_table(rows=1, cols=3)
    for cell, text in zip(table.rows[0].cells, ["姓名", "岗位", "工龄"], strict=True):
        cell.text = text
    for member in range(8):
        row = table.add_row().cells
        row[0].text = f"成员{index + 1}-{member + 1}"
        row[1].text = rng.choice(["钢筋工", "木工", "混凝土工", "测量员", "质检员"])
        row[2].text = f"{rng.randint(2, 25)}年"
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# --- the seed (Django set up) ----------------------------------------------------------------


def seed_applicants(n: int, *, deadline_in_minutes: int = 60) -> list[dict[str, Any]]:
    """n applicants with a draft application each, made through the services as the demo makes
    them; the active edition's deadline moved to `deadline_in_minutes` from now."""
    import datetime as dt

    from django.test import override_settings
    from django.urls import reverse
    from django.utils import timezone

    from banzu.accounts.enums import Ownership, Role
    from banzu.accounts.models import Recommender
    from banzu.accounts.services import create_enterprise, create_user
    from banzu.applications import services
    from banzu.editions.models import Edition

    edition = Edition.objects.get(is_active=True)
    now = timezone.now()
    edition.recommendation_deadline = now + dt.timedelta(minutes=deadline_in_minutes)
    edition.registration_opens_at = min(edition.registration_opens_at, now - dt.timedelta(days=30))
    edition.save()
    recommenders = list(Recommender.objects.order_by("pk"))
    seeded = []
    # The sessions stand for logins made before the deadline, so no password is ever checked:
    # a fast hasher spares 300 Argon2 hashes in the seed, not in the measured burst.
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        for i in range(n):
            username = f"{USERNAME_PREFIX}{i + 1:03d}"
            user = create_user(
                by=None,
                username=username,
                email=f"{username}@example.com",
                password=uuid.uuid4().hex,
                role=Role.APPLICANT,
                full_name=f"申报联系人{i + 1}",
            )
            create_enterprise(
                user=user,
                fields={
                    "name": f"浙江第{i + 1:03d}建设工程有限公司",
                    "industry": "房屋建筑工程",
                    "ownership": Ownership.PRIVATE,
                    "address": "浙江省杭州市建设路88号",
                    "supervising_department": "质量管理部",
                    "supervising_contact": "黄经理",
                    "supervising_phone": f"0571-8{1000000 + i}",
                },
            )
            user.refresh_from_db()
            application = services.start_application(
                user=user,
                edition=edition,
                team_name="钢筋加工班",
                recommender=recommenders[i % len(recommenders)],
            )
            seeded.append(
                {
                    "username": username,
                    "session": signed_in_session(user),
                    "application": application.pk,
                    "files_url": reverse("applications:files", args=[application.pk]),
                    # Each applicant from an address of its own, as 300 offices would be.
                    "ip": f"10.16.{i // 250}.{i % 250 + 1}",
                }
            )
    return seeded


def signed_in_session(user: Any) -> str:
    """A session as django.contrib.auth.login leaves it (as bench/event_load.py makes them)."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return str(session.session_key)


# --- the burst (HTTP) ------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    port: int
    # The scheme the application sees: https behind the proxy (production trusts the loopback's
    # X-Forwarded-Proto); http where no proxy is trusted (the tests' live server).
    scheme: str = "https"
    timeout_s: float = 300

    @property
    def origin(self) -> str:
        return f"{self.scheme}://127.0.0.1:{self.port}"


@dataclass
class Upload:
    application: int
    files_url: str
    ip: str
    client: Client
    token: str
    body: bytes
    boundary: str
    sha256: str


@dataclass
class Outcome:
    application: int
    sha256: str
    acknowledged: bool
    error: str | None  # "HTTP 500", "refused: <the form's message>", "ConnectionResetError"
    latency_s: float


@dataclass
class BurstResult:
    outcomes: list[Outcome]
    wall_s: float
    probes: list[tuple[int, float]] = field(default_factory=list)  # (status, seconds)


def _form_body(
    token: str, name: str, content: bytes, kind: str = KIND, content_type: str = DOCX_TYPE
) -> tuple[bytes, str]:
    boundary = f"----banzuburst{uuid.uuid4().hex}"
    head = (
        f"--{boundary}\r\n"
        'Content-Disposition: form-data; name="csrfmiddlewaretoken"\r\n\r\n'
        f"{token}\r\n"
        f"--{boundary}\r\n"
        'Content-Disposition: form-data; name="kind"\r\n\r\n'
        f"{kind}\r\n"
        f"--{boundary}\r\n"
        f'Content-Disposition: form-data; name="file"; filename="{name}"\r\n'
        f"Content-Type: {content_type}\r\n\r\n"
    ).encode()
    return head + content + f"\r\n--{boundary}--\r\n".encode(), boundary


def prepare(
    target: Target,
    seeded: list[dict[str, Any]],
    files: list[bytes],
    *,
    threads: int = 8,
    kind: str = KIND,
    filename: str = "班组创建材料.docx",
    content_type: str = DOCX_TYPE,
) -> list[Upload]:
    """Open each applicant's files page with its session, as the applicant has it open before
    the deadline: the page's form gives the CSRF token (and its cookie)."""

    def one(pair: tuple[dict[str, Any], bytes]) -> Upload:
        applicant, content = pair
        client = Client(target.port, timeout=target.timeout_s)
        client.cookies["sessionid"] = applicant["session"]
        status, _headers, page = client.request(
            "GET", applicant["files_url"], headers={"X-Forwarded-For": applicant["ip"]}
        )
        found = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        if status != 200 or found is None or f'value="{kind}"'.encode() not in page:
            raise RuntimeError(f"{applicant['files_url']} answered {status} without its form")
        token = found.group(1).decode()
        body, boundary = _form_body(token, filename, content, kind, content_type)
        return Upload(
            application=applicant["application"],
            files_url=applicant["files_url"],
            ip=applicant["ip"],
            client=client,
            token=token,
            body=body,
            boundary=boundary,
            sha256=sha256(content),
        )

    with ThreadPoolExecutor(threads) as pool:
        return list(pool.map(one, zip(seeded, files, strict=True)))


def _send(target: Target, upload: Upload) -> tuple[bool, str | None]:
    """POST the form; the view's contract: 302 back to the files page when the file is stored,
    200 with the form's error when it is refused."""
    try:
        status, headers, page = upload.client.request(
            "POST",
            upload.files_url,
            body=upload.body,
            headers={
                "Content-Type": f"multipart/form-data; boundary={upload.boundary}",
                "Referer": target.origin + upload.files_url,
                "Origin": target.origin,
                "X-Forwarded-For": upload.ip,
            },
        )
    except Exception as error:  # a timeout, a reset: the client saw no answer
        return False, type(error).__name__
    if status == 302 and headers.get("location", "").endswith(upload.files_url):
        return True, None
    if status == 200:
        message = re.search(rb'class="errorlist"[^>]*><li>(.*?)</li>', page, re.DOTALL)
        text = html.unescape(message.group(1).decode()) if message else "no message"
        return False, f"refused: {text}"
    return False, f"HTTP {status}"


def run_burst(
    target: Target, uploads: list[Upload], login_path: str, *, probe: Target | None = None
) -> BurstResult:
    """Every upload on its own thread, released together; the login page probed meanwhile (on
    `probe` if given: a second server, as a proxy would route the pages apart)."""
    start_line = threading.Barrier(len(uploads) + 1)
    outcomes: list[Outcome | None] = [None] * len(uploads)
    starts: list[float] = [time.perf_counter()] * len(uploads)
    probes: list[tuple[int, float]] = []
    done = threading.Event()

    def upload_thread(position: int) -> None:
        upload = uploads[position]
        start_line.wait()
        started = starts[position] = time.perf_counter()
        acknowledged, error = _send(target, upload)
        outcomes[position] = Outcome(
            upload.application,
            upload.sha256,
            acknowledged,
            error,
            time.perf_counter() - started,
        )

    threads = [
        threading.Thread(target=upload_thread, args=(i,), daemon=True) for i in range(len(uploads))
    ]
    for thread in threads:
        thread.start()
    start_line.wait()
    began = time.perf_counter()
    prober = threading.Thread(
        target=_probe, args=(probe or target, login_path, probes, done), daemon=True
    )
    prober.start()
    for thread in threads:
        thread.join()
    # From the first upload sent (a thread may run before this one returns from the barrier).
    wall = time.perf_counter() - min(began, *starts)
    done.set()
    prober.join()
    return BurstResult([o for o in outcomes if o is not None], wall, probes)


def _probe(
    target: Target, path: str, probes: list[tuple[int, float]], done: threading.Event
) -> None:
    """The login page every PROBE_INTERVAL_S (or at once after a slower answer) until done,
    at least once."""
    client = Client(target.port, timeout=target.timeout_s)
    while True:
        started = time.perf_counter()
        try:
            status, _headers, _page = client.request(
                "GET", path, headers={"X-Forwarded-For": "10.99.0.1"}
            )
        except Exception:
            status = 0
        elapsed = time.perf_counter() - started
        probes.append((status, elapsed))
        if done.wait(max(0.0, PROBE_INTERVAL_S - elapsed)):
            return


# --- what was stored (Django set up) ---------------------------------------------------------


def stored_figures(outcomes: list[dict[str, Any]]) -> dict[str, int]:
    """Compares what the burst sent (and was told) with the database and the file store.

    `outcomes`: {"application", "sha256", "acknowledged"} per upload sent."""
    from banzu.applications.models import Document
    from banzu.core import filestore

    applications = [item["application"] for item in outcomes]
    rows = list(Document.objects.filter(application_id__in=applications, kind=KIND))
    current = {row.application_id: row for row in rows if row.superseded_at is None}
    stored = matching = lost = unacknowledged = 0
    for item in outcomes:
        row = current.get(item["application"])
        if row is None:
            lost += bool(item["acknowledged"])
            continue
        stored += 1
        unacknowledged += not item["acknowledged"]
        path = filestore.path_for(row.stored_name)
        on_disk = sha256(path.read_bytes()) if path.exists() else None
        matching += row.sha256 == item["sha256"] == on_disk
    known = set(Document.objects.values_list("stored_name", flat=True))
    temp = filestore.root() / "tmp"
    return {
        "sent": len(outcomes),
        "acknowledged": sum(bool(item["acknowledged"]) for item in outcomes),
        "stored": stored,
        "rows": len(rows),
        "hash_matching": matching,
        "lost": lost,
        "stored_unacknowledged": unacknowledged,
        "orphan_files": sum(1 for name in filestore.stored_files() if name not in known),
        "temp_leftovers": sum(1 for p in temp.glob("*.part")) if temp.exists() else 0,
    }


# --- figures ---------------------------------------------------------------------------------


def percentile(values: list[float], share: float) -> float:
    """The nearest-rank percentile (p95 of 300 values is the 285th smallest)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, math.ceil(round(len(ordered) * share, 9)))
    return ordered[rank - 1]


def summary(result: BurstResult) -> dict[str, Any]:
    latencies = [o.latency_s for o in result.outcomes]
    probe_times = [seconds for _status, seconds in result.probes]
    return {
        "errors": dict(Counter(o.error for o in result.outcomes if o.error)),
        "p50_s": statistics.median(latencies) if latencies else float("nan"),
        "p95_s": percentile(latencies, 0.95),
        "max_s": max(latencies, default=float("nan")),
        "wall_s": result.wall_s,
        "probes": len(result.probes),
        "probe_failures": sum(1 for status, _s in result.probes if status != 200),
        "probe_p50_s": statistics.median(probe_times) if probe_times else float("nan"),
        "probe_max_s": max(probe_times, default=float("nan")),
    }


def outcome_rows(result: BurstResult) -> list[dict[str, Any]]:
    return [
        {"application": o.application, "sha256": o.sha256, "acknowledged": o.acknowledged}
        for o in result.outcomes
    ]


def store_path_of(application: int) -> Path | None:
    """The stored file of the application's current Word materials (Django set up)."""
    from banzu.applications.models import Document
    from banzu.core import filestore

    row = Document.objects.filter(
        application_id=application, kind=KIND, superseded_at__isnull=True
    ).first()
    return filestore.path_for(row.stored_name) if row else None
