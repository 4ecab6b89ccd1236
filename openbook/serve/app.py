"""`openbook serve`: the checks in a web page, and a status board for catalogues.

A Flask application served by waitress (cli/serve.py). Pages:

- ``/``: check a file (drag and drop, or choose one);
- ``/report/<job>``: the HTML report, with the marked-up workbook, the JSON
  report and a blank template to download;
- ``/package/<job>`` and ``/publish/<job>``: package a valid submission and
  publish it to the target the server was started with, after a dry run;
- ``/catalogue``: the status board (bodies by period), ``/catalogue/<body>``;
- ``/compare``: choose bodies of the catalogue and compare them.

Safe by construction: every form carries a CSRF token; every page a strict
Content-Security-Policy; uploads are limited in size, typed by content,
stored under random names outside anything served, worked on in limited
child processes (jobs.py) and deleted after a while; no path from a request
reaches the filesystem; off loopback a token is required (cli/serve.py
refuses to start without one); errors are pages with one line, never tracebacks.
"""
from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from flask import Flask, Response, abort, g, redirect, render_template, request, send_file, session, url_for
from werkzeug.exceptions import HTTPException

from openbook.errors import NoPackages, OpenbookError, scrub
from openbook.publish import board as boards
from openbook.standard.metadata import is_web_address
from openbook.serve.jobs import Jobs, JobFailed, safe_name, sniff
from openbook.templates import FOLDER as TEMPLATES, inline_hashes, without_csp

STATIC = {"serve.css": "text/css; charset=utf-8", "serve.js": "text/javascript; charset=utf-8"}
DOWNLOADS = {  # what a report page offers, by the name in its URL
    "report.json": ("report.json", "application/json"),
    "annotated.xlsx": ("annotated.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
}
PERIOD = re.compile(r"^\d{4}(-\d{2}|/\d{2}|-Q[1-4])?$|^\d{4}-\d{2}-\d{2}\.\.\d{4}-\d{2}-\d{2}$")


@dataclass
class Settings:
    work_dir: Path | None = None        # uploads and results (default: a new private temporary folder)
    max_upload_bytes: int = 100 * 1024 ** 2
    job_seconds: float = 120.0
    keep_seconds: float = 3600.0
    workers: int = 2
    token: str | None = None            # required on every request when set
    publish_to: str | None = None       # the target packages are published to
    catalogue: str | None = None        # what the status board reads (default: publish_to)
    register: Path | None = None        # expected bodies (uri,name,type,cadence)
    secret_key: bytes = field(default_factory=lambda: secrets.token_bytes(32))


def create_app(settings: Settings | None = None) -> Flask:
    settings = settings or Settings()
    work = settings.work_dir or Path(tempfile.mkdtemp(prefix="openbook-serve-"))
    jobs = Jobs(work / "jobs", seconds=settings.job_seconds, keep_seconds=settings.keep_seconds,
                workers=settings.workers)
    app = Flask(__name__, template_folder=str(TEMPLATES), static_folder=None)
    app.config.update(SECRET_KEY=settings.secret_key, MAX_CONTENT_LENGTH=settings.max_upload_bytes,
                      SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Strict")
    app.jinja_env.filters["n"] = lambda v: f"{v:,}"
    app.jinja_env.filters["plural"] = lambda n, word, many=None: word if n == 1 else (many or word + "s")

    # --- every request ---------------------------------------------------------------
    @app.before_request
    def guard():
        g.nonce_hashes = []
        if settings.token:
            given = request.args.get("token") or session.get("token") or \
                request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
            if not given or not hmac.compare_digest(str(given), settings.token):
                return error_page(401, "This openbook server needs its access token. Open the address it "
                                       "printed when it started (it ends ?token=...).")
            session["token"] = given
        if request.method == "POST":
            sent = request.form.get("csrf") or request.headers.get("X-CSRF-Token", "")
            if not sent or not hmac.compare_digest(sent, session.get("csrf", "")):
                return error_page(400, "This form has expired or did not come from this page. Go back, "
                                       "reload the page and try again.")

    @app.after_request
    def headers(resp: Response) -> Response:
        scripts = " ".join(g.get("script_hashes", []))
        styles = " ".join(g.get("style_hashes", []))
        resp.headers["Content-Security-Policy"] = (
            "default-src 'none'; img-src 'self' data:; "
            f"style-src 'self' {styles}; script-src 'self' {scripts}; "
            "form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
        resp.headers["X-Content-Type-Options"] = "nosniff"
        resp.headers["Referrer-Policy"] = "no-referrer"
        resp.headers["Cache-Control"] = "no-store"
        return resp

    @app.context_processor
    def common():
        if "csrf" not in session:
            session["csrf"] = secrets.token_urlsafe(24)
        return {"csrf": session["csrf"], "publish_to": scrub(settings.publish_to) if settings.publish_to else None,
                "has_catalogue": bool(settings.catalogue or settings.publish_to),
                "max_mb": settings.max_upload_bytes // 1024 ** 2}

    def error_page(status: int, message: str):
        return render_template("serve_error.html", status=status, message=message), status

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        if exc.code == 413:
            return error_page(413, f"This file is larger than {settings.max_upload_bytes // 1024 ** 2:,} MB, "
                                   "the most this server accepts. Split it into smaller files, or run "
                                   "`openbook validate` on your own computer.")
        if exc.code == 404:
            return error_page(404, "There is nothing at this address. Reports are kept for "
                                   f"{settings.keep_seconds / 3600:g} hours; check the file again if yours has gone.")
        return error_page(exc.code or 500, exc.description or "The request could not be handled.")

    @app.errorhandler(Exception)
    def crash(exc: Exception):  # never a traceback on a page
        app.logger.exception("unexpected error")
        return error_page(500, "Something went wrong inside openbook. Try again; if it happens again, "
                               "run `openbook validate` on your own computer and report what it says.")

    # --- pages ------------------------------------------------------------------------
    @app.get("/static/<name>")
    def static_file(name: str):
        if name not in STATIC:
            abort(404)
        return Response((TEMPLATES / name).read_bytes(), mimetype=STATIC[name])

    @app.get("/")
    def home():
        return render_template("serve_upload.html")

    @app.post("/check")
    def check():
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            return error_page(400, "Choose a file to check: an Excel workbook (.xlsx, .xls, .ods) or a CSV file.")
        job_id, folder = jobs.new()
        raw = folder / "upload.bin"
        upload.save(raw)
        head = raw.open("rb").read(65536)
        kind = sniff(head, raw)
        if kind is None or raw.stat().st_size == 0:
            raw.unlink()
            return error_page(415, "This is not a spreadsheet or a CSV file (openbook looked at its content, not "
                                   "its name). Save it from Excel as .xlsx or .csv and try again.")
        name = safe_name(upload.filename, kind)
        raw.rename(folder / "input" / name)
        profile = request.form.get("profile")
        jobs.save_meta(folder, {"file": name, "profile": profile if profile in ("council", "supplier") else None})
        try:
            result = jobs.run("check", folder)
        except JobFailed as exc:
            return error_page(422, f"{name}: {exc}")
        if not result["ok"]:
            return error_page(422, scrub(result["message"]))
        meta = jobs.meta(folder)
        meta["check"] = result
        jobs.save_meta(folder, meta)
        return redirect(url_for("report", job_id=job_id), code=303)

    def job_or_404(job_id: str) -> tuple[Path, dict]:
        folder = jobs.folder(job_id)
        if folder is None:
            abort(404)
        return folder, jobs.meta(folder)

    @app.get("/report/<job_id>")
    def report(job_id: str):
        folder, meta = job_or_404(job_id)
        if "check" not in meta:
            abort(404)
        # The report's own meta policy gives way to this server's header, which also allows /static/.
        page = without_csp((folder / "report.html").read_text(encoding="utf-8"))
        bar = render_template("serve_report_bar.html", job_id=job_id, meta=meta, check=meta["check"])
        page = page.replace("<body>", "<body>\n" + bar, 1)
        page = page.replace("</head>", '<link rel="stylesheet" href="/static/serve.css">\n</head>', 1)
        g.script_hashes, g.style_hashes = _inline(page)
        return Response(page, mimetype="text/html")

    @app.get("/report/<job_id>/<name>")
    def download(job_id: str, name: str):
        folder, meta = job_or_404(job_id)
        if name == "template.xlsx":
            from openbook.standard.template import write_template
            target = folder / "template.xlsx"
            if not target.is_file():
                write_template(target, profile=meta.get("check", {}).get("profile") or "council")
            return send_file(target, as_attachment=True, download_name="openbook-template.xlsx")
        if name not in DOWNLOADS or not (folder / DOWNLOADS[name][0]).is_file():
            abort(404)
        stem = meta["file"].rsplit(".", 1)[0]
        download_name = f"{stem}-checked.xlsx" if name == "annotated.xlsx" else f"{stem}-report.json"
        return send_file(folder / DOWNLOADS[name][0], mimetype=DOWNLOADS[name][1], as_attachment=True,
                         download_name=download_name)

    # --- package and publish ---------------------------------------------------------
    @app.route("/package/<job_id>", methods=["GET", "POST"])
    def package(job_id: str):
        folder, meta = job_or_404(job_id)
        if not settings.publish_to:
            return error_page(409, "This server was started without a place to publish to "
                                   "(openbook serve --publish-to ...).")
        if not meta.get("check", {}).get("valid"):
            return error_page(409, "Only a valid submission can be packaged here. Fix the errors in the report, "
                                   "then check the file again.")
        if request.method == "GET":
            return render_template("serve_package.html", job_id=job_id, meta=meta, form={}, plan=None)
        form = {k: (request.form.get(k) or "").strip() for k in ("org_name", "org_uri", "period", "licence")}
        problem = _form_problem(form)
        if problem:
            return render_template("serve_package.html", job_id=job_id, meta=meta, form=form, plan=None,
                                   problem=problem), 400
        meta["package"] = form
        jobs.save_meta(folder, meta)
        try:
            made = jobs.run("package", folder)
        except JobFailed as exc:
            return error_page(422, str(exc))
        if not made["ok"]:
            return render_template("serve_package.html", job_id=job_id, meta=meta, form=form, plan=None,
                                   problem=scrub(made["message"])), 422
        meta["packaged"] = made
        jobs.save_meta(folder, meta)
        from openbook.publish import publish
        try:
            plan = publish(folder / made["path"], to=settings.publish_to, dry_run=True)
        except OpenbookError as exc:
            return error_page(502, scrub(str(exc)))
        return render_template("serve_package.html", job_id=job_id, meta=meta, form=form, plan=plan)

    @app.post("/publish/<job_id>")
    def publish_job(job_id: str):
        folder, meta = job_or_404(job_id)
        if not settings.publish_to or "packaged" not in meta:
            abort(404)
        from openbook.publish import publish
        try:
            result = publish(folder / meta["packaged"]["path"], to=settings.publish_to)
        except OpenbookError as exc:
            return error_page(502, scrub(str(exc)))
        meta["published"] = {"url": result.url, "counts": result.counts()}
        jobs.save_meta(folder, meta)
        return redirect(url_for("catalogue", published=meta["packaged"]["name"]), code=303)

    # --- the status board -------------------------------------------------------------
    def the_board() -> boards.Board:
        where = settings.catalogue or settings.publish_to
        if not where:
            abort(404)
        from openbook.publish.targets import target
        try:
            packages = target(where).packages()
        except NoPackages:      # nothing published yet: an empty board
            packages = []
        except OpenbookError as exc:
            raise _Page(502, scrub(str(exc)))
        register = boards.read_register(settings.register) if settings.register else None
        return boards.build(packages, register)

    @app.get("/catalogue")
    def catalogue():
        b = the_board()
        q = (request.args.get("q") or "").strip().lower()
        state = request.args.get("state") or ""
        rows = [r for r in b.bodies if (not q or q in r.name.lower())
                and (state not in boards.STATES or any(c.state == state for c in r.cells.values()))]
        return render_template("serve_board.html", board=b, rows=rows, q=q, state=state, states=boards.STATES,
                               published=request.args.get("published"))

    @app.get("/catalogue/<key>")
    def body(key: str):
        b = the_board()
        row = next((r for r in b.bodies if _slug(r.key) == key), None)
        if row is None:
            abort(404)
        return render_template("serve_body.html", board=b, row=row)

    # --- compare ---------------------------------------------------------------------
    @app.route("/compare", methods=["GET", "POST"])
    def compare_page():
        b = the_board()
        if request.method == "GET":
            return render_template("serve_compare_choose.html", board=b)
        chosen = set(request.form.getlist("body"))
        labels = [c.package.label for r in b.bodies if _slug(r.key) in chosen
                  for c in r.cells.values() if c.package is not None]
        from openbook.compare import compare
        from openbook.compare.render import html as compare_html
        try:
            result = compare(labels)
        except OpenbookError as exc:
            return error_page(422, scrub(str(exc)))
        page = without_csp(compare_html(result))
        g.script_hashes, g.style_hashes = _inline(page)
        return Response(page, mimetype="text/html")

    app.jinja_env.globals["slug"] = _slug

    @app.errorhandler(_Page)
    def page_error(exc: "_Page"):
        return error_page(exc.status, exc.message)

    return app


class _Page(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status, self.message = status, message


def _slug(key: str) -> str:
    """A body's key as a URL part (a URI is not one)."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]


def _inline(page: str) -> tuple[list[str], list[str]]:
    """The page's own inline scripts and styles, by hash: those, and nothing else inline, may run."""
    found = inline_hashes(page)
    return found["script"], found["style"]


def _form_problem(form: dict) -> str | None:
    """What is wrong with the package form, in one line (blank fields come from the About sheet)."""
    if form["org_uri"] and not is_web_address(form["org_uri"]):
        return "Give your organisation's web address, starting https:// (for example https://anytown.gov.uk)."
    if form["period"] and not PERIOD.match(form["period"]):
        return "Give the period as a financial year (2025-26), a month (2025-04) or a year (2025)."
    return None
