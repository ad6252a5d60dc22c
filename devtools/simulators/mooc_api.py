"""A stand-in for the MOOC export API, the Open edX REST APIs and the H5P API, for tests and the demo.

All three are served from one dataset (see `sample_dataset` and docs/the issue-4 contract):
`{"courses": {course: {"enrollments", "grades", "progress", "discussions"}}, "h5p": {course: {user: {...}}}}`.
The Open edX shapes are derived from it (usernames, grades, completion, discussion threads), so both MOOC
sources describe the same learners.

Faults are injected per route (`Fault(route=..., ...)`, optionally only for one course, user or page) and
consumed one per matching request: an HTTP status (500, 429 with Retry-After, 404), a slow answer, a
malformed body, a truncated page, a `next` that loops. `MoocApiOptions` chooses the page size, the
pagination style of each list route, relative or absolute `next` links, and which optional endpoints
answer 404 (complete-student-data, Open edX completion and discussion).
`app.state.requests` records every request; `app.state.max_in_flight` the peak concurrency.
"""

from __future__ import annotations

import asyncio
import json
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

EXPORT_ROUTES = ("export.enrollments", "export.grades", "export.progress", "export.discussions", "export.complete")
OPENEDX_ROUTES = ("openedx.enrollments", "openedx.grades", "openedx.completion", "openedx.discussion")
H5P_ROUTES = ("h5p.scores", "h5p.videos", "h5p.dashboard")
ROUTES = EXPORT_ROUTES + OPENEDX_ROUTES + H5P_ROUTES
STYLES = ("cursor", "namespaced", "flat", "array")

# The shapes real servers use: export lists are cursor pages with a count, Open edX enrollments are
# cursor pages without one, completion and discussion are namespaced; grades vary by server version.
DEFAULT_STYLES: dict[str, str] = {
    **{route: "cursor" for route in EXPORT_ROUTES},
    "openedx.enrollments": "cursor",
    "openedx.grades": "cursor",
    "openedx.completion": "namespaced",
    "openedx.discussion": "namespaced",
}
_COUNTLESS = frozenset({"openedx.enrollments"})


@dataclass
class Fault:
    """One misbehaving answer on `route`, for `times` matching requests (None: every one)."""

    route: str
    kind: str = "status"  # status | slow | malformed | truncated | next_loop
    status: int = 500
    retry_after: str | None = None
    delay_seconds: float = 0.0
    body: str | None = None
    times: int | None = 1
    course_id: str | None = None
    user_id: str | None = None
    page: int | None = None

    def __post_init__(self) -> None:
        if self.route not in ROUTES:
            raise ValueError(f"unknown route {self.route!r}; one of {', '.join(ROUTES)}")

    @classmethod
    def server_error(cls, route: str, status: int = 500, **match: Any) -> Fault:
        return cls(route, "status", status=status, **match)

    @classmethod
    def rate_limited(cls, route: str, retry_after: float | str = 1, **match: Any) -> Fault:
        return cls(route, "status", status=429, retry_after=str(retry_after), **match)

    @classmethod
    def not_found(cls, route: str, **match: Any) -> Fault:
        return cls(route, "status", status=404, **match)

    @classmethod
    def slow(cls, route: str, seconds: float, **match: Any) -> Fault:
        return cls(route, "slow", delay_seconds=seconds, **match)

    @classmethod
    def malformed(cls, route: str, body: str = '{"results": [{"user_id": 1', **match: Any) -> Fault:
        return cls(route, "malformed", body=body, **match)

    @classmethod
    def truncated(cls, route: str, **match: Any) -> Fault:
        return cls(route, "truncated", **match)

    @classmethod
    def next_loop(cls, route: str, **match: Any) -> Fault:
        return cls(route, "next_loop", **{"times": None, **match})

    def matches(self, route: str, course_id: str | None, user_id: str | None, page: int) -> bool:
        return (
            self.route == route
            and self.times != 0
            and (self.course_id is None or self.course_id == course_id)
            and (self.user_id is None or self.user_id == user_id)
            and (self.page is None or self.page == page)
        )


@dataclass(frozen=True)
class MoocApiOptions:
    page_size: int = 50
    styles: Mapping[str, str] = field(default_factory=dict)  # route -> style, over DEFAULT_STYLES
    relative_next: bool = False
    complete_data: bool = True  # False: complete-student-data answers 404 (the client falls back)
    openedx_completion: bool = True  # False: the completion plugin is not installed (404)
    openedx_discussion: bool = True  # False: the discussion API is not offered (404)
    latency_seconds: float = 0.0  # added to every answer (lets tests observe concurrency)

    def style(self, route: str) -> str:
        return {**DEFAULT_STYLES, **self.styles}.get(route, "cursor")


def serve(dataset: Mapping[str, Any], *, port: int, tokens: Mapping[str, str] | None = None) -> None:
    """Serve the simulator on 127.0.0.1:`port` until interrupted (`lms-warehouse simulate`)."""
    uvicorn.run(create_app(dataset, tokens=tokens), host="127.0.0.1", port=port, log_level="warning")


def create_app(
    dataset: Mapping[str, Any],
    *,
    tokens: Mapping[str, str] | None = None,
    faults: Sequence[Fault] = (),
    options: MoocApiOptions | None = None,
) -> Starlette:
    """The three APIs over `dataset`; `tokens` {"mooc": ..., "h5p": ...} requires those bearer tokens."""
    opts = options or MoocApiOptions()
    for route, style in opts.styles.items():
        if style not in STYLES:
            raise ValueError(f"unknown pagination style {style!r} for {route}; one of {', '.join(STYLES)}")
    pending = [replace(fault) for fault in faults]  # copies: `times` is consumed
    views = _Views(dataset)
    requests: list[dict[str, Any]] = []
    in_flight = [0]

    def take_fault(route: str, course_id: str | None, user_id: str | None, page: int) -> Fault | None:
        for fault in pending:
            if fault.matches(route, course_id, user_id, page):
                if fault.times is not None:
                    fault.times -= 1
                return fault
        return None

    def endpoint(route: str, items_for: Callable[[str], list[dict[str, Any]] | None], *, by_query: bool = False):
        async def handle(request: Request) -> Response:
            course_id = request.query_params.get("course_id") if by_query else _course(request)
            try:
                page = int(request.query_params.get("page", "1"))
            except ValueError:
                return JSONResponse({"error": "page must be an integer"}, status_code=400)
            return await serve(request, route, course_id, None, page, lambda fault: _page_response(
                request, route, items_for(course_id or ""), page, opts, fault))

        return handle

    def h5p_endpoint(route: str):
        async def handle(request: Request) -> Response:
            course_id, user_id = _course(request), request.path_params["user_id"]

            def answer(fault: Fault | None) -> Response:
                body = views.h5p(route, course_id, user_id)
                if body is None:
                    return JSONResponse({"detail": "unknown user or course"}, status_code=404)
                if fault is not None and fault.kind == "truncated":
                    return Response(json.dumps(body)[: len(json.dumps(body)) // 2], media_type="application/json")
                return JSONResponse(body)

            return await serve(request, route, course_id, user_id, 1, answer)

        return handle

    async def serve(
        request: Request, route: str, course_id: str | None, user_id: str | None, page: int,
        answer: Callable[[Fault | None], Response],
    ) -> Response:
        in_flight[0] += 1
        app.state.max_in_flight = max(app.state.max_in_flight, in_flight[0])
        try:
            token = (tokens or {}).get("h5p" if route.startswith("h5p.") else "mooc")
            if token is not None and request.headers.get("authorization") != f"Bearer {token}":
                response: Response = JSONResponse({"detail": "unauthorized"}, status_code=401)
            elif not _offered(route, opts):
                response = JSONResponse({"detail": "Not found."}, status_code=404)
            else:
                fault = take_fault(route, course_id, user_id, page)
                if opts.latency_seconds:
                    await asyncio.sleep(opts.latency_seconds)
                response = await _faulty(fault) or answer(fault)
            requests.append({"route": route, "course_id": course_id, "user_id": user_id, "page": page,
                             "status": response.status_code})
            return response
        finally:
            in_flight[0] -= 1

    list_routes = [
        ("/course-enrollments-attributes/{course_id:path}", "export.enrollments", views.export_list("enrollments")),
        ("/export/student-grades/{course_id:path}", "export.grades", views.export_list("grades")),
        ("/export/student-progress/{course_id:path}", "export.progress", views.export_list("progress")),
        ("/export/student-discussions/{course_id:path}", "export.discussions", views.export_list("discussions")),
        ("/export/complete-student-data/{course_id:path}", "export.complete", views.complete),
        ("/api/grades/v1/courses/{course_id:path}", "openedx.grades", views.openedx_grades),
        ("/api/completion/v1/course/{course_id:path}", "openedx.completion", views.openedx_completion),
    ]
    routes = [Route(path, endpoint(route, items)) for path, route, items in list_routes]
    routes += [
        Route("/api/enrollment/v1/enrollments", endpoint("openedx.enrollments", views.openedx_enrollments,
                                                         by_query=True)),
        Route("/api/discussion/v1/threads/", endpoint("openedx.discussion", views.openedx_threads, by_query=True)),
        Route("/scores/{user_id}/{course_id:path}", h5p_endpoint("h5p.scores")),
        Route("/video-progress/{user_id}/{course_id:path}", h5p_endpoint("h5p.videos")),
        Route("/dashboard/{user_id}/{course_id:path}", h5p_endpoint("h5p.dashboard")),
    ]
    app = Starlette(routes=routes)
    app.state.requests = requests
    app.state.max_in_flight = 0
    return app


def _course(request: Request) -> str:
    return str(request.path_params["course_id"]).rstrip("/")


def _offered(route: str, opts: MoocApiOptions) -> bool:
    return {
        "export.complete": opts.complete_data,
        "openedx.completion": opts.openedx_completion,
        "openedx.discussion": opts.openedx_discussion,
    }.get(route, True)


async def _faulty(fault: Fault | None) -> Response | None:
    """The faulty answer, or None when the fault only delays or alters the normal one."""
    if fault is None:
        return None
    if fault.delay_seconds:
        await asyncio.sleep(fault.delay_seconds)
    if fault.kind == "malformed":
        return Response(fault.body or "", status_code=200, media_type="application/json")
    if fault.kind == "status":
        headers = {"Retry-After": fault.retry_after} if fault.retry_after is not None else None
        return JSONResponse({"detail": "simulated fault"}, status_code=fault.status, headers=headers)
    return None


def _page_response(
    request: Request,
    route: str,
    items: list[dict[str, Any]] | None,
    page: int,
    opts: MoocApiOptions,
    fault: Fault | None,
) -> Response:
    if items is None:
        return JSONResponse({"detail": "Course not found."}, status_code=404)
    style = opts.style(route)
    kind = fault.kind if fault is not None else None
    if style == "array":
        return _cut(items) if kind == "truncated" else JSONResponse(items)
    size = max(1, opts.page_size)
    pages = max(1, math.ceil(len(items) / size))
    if page < 1 or page > pages:
        return JSONResponse({"detail": "Invalid page."}, status_code=404)
    results = items[(page - 1) * size: page * size]
    countless = route in _COUNTLESS
    if kind == "truncated":
        if countless:
            return _cut({"next": None, "previous": None, "results": results})
        results = results[: len(results) // 2]
    if style == "flat":
        current = 1 if kind == "next_loop" else page  # the page number never advances
        return JSONResponse({"count": len(items), "num_pages": pages, "current_page": current, "results": results})
    following = _link(request, page + 1, opts) if page < pages else None
    if kind == "next_loop":  # back to the very page just served
        following = (request.url.path + (f"?{request.url.query}" if request.url.query else "")
                     if opts.relative_next else str(request.url))
    previous = _link(request, page - 1, opts) if page > 1 else None
    if style == "namespaced":
        return JSONResponse({"results": results, "pagination": {
            "next": following, "previous": previous, "count": len(items), "num_pages": pages}})
    body: dict[str, Any] = {"next": following, "previous": previous, "results": results}
    if not countless:
        body = {"count": len(items), **body}
    return JSONResponse(body)


def _link(request: Request, page: int, opts: MoocApiOptions) -> str:
    url = request.url.include_query_params(page=page)
    return f"{url.path}?{url.query}" if opts.relative_next else str(url)


def _cut(body: Any) -> Response:
    text = json.dumps(body)
    return Response(text[: len(text) // 2], media_type="application/json")


class _Views:
    """The dataset as each API shows it."""

    def __init__(self, dataset: Mapping[str, Any]):
        self.courses: Mapping[str, Mapping[str, list[dict[str, Any]]]] = dataset.get("courses", {})
        self.h5p_data: Mapping[str, Mapping[str, Mapping[str, Any]]] = dataset.get("h5p", {})

    def export_list(self, name: str) -> Callable[[str], list[dict[str, Any]] | None]:
        def items(course_id: str) -> list[dict[str, Any]] | None:
            course = self.courses.get(course_id)
            return None if course is None else list(course.get(name, []))

        return items

    def _by_user(self, course_id: str, name: str) -> dict[Any, dict[str, Any]]:
        return {row["user_id"]: row for row in self.courses[course_id].get(name, [])}

    def complete(self, course_id: str) -> list[dict[str, Any]] | None:
        if course_id not in self.courses:
            return None
        grades, progress = self._by_user(course_id, "grades"), self._by_user(course_id, "progress")
        discussions = self._by_user(course_id, "discussions")
        return [
            {"user_id": e["user_id"], "username": e.get("username"), "enrollment": e,
             "grades": grades.get(e["user_id"]), "progress": progress.get(e["user_id"]),
             "discussions": discussions.get(e["user_id"])}
            for e in self.courses[course_id].get("enrollments", [])
        ]

    def _usernames(self, course_id: str) -> dict[Any, str]:
        return {e["user_id"]: e["username"] for e in self.courses[course_id].get("enrollments", [])}

    def openedx_enrollments(self, course_id: str) -> list[dict[str, Any]] | None:
        if course_id not in self.courses:
            return None
        return [
            {"created": e.get("created"), "mode": e.get("mode"), "is_active": e.get("is_active"),
             "user": e["username"], "course_id": course_id}
            for e in self.courses[course_id].get("enrollments", [])
        ]

    def openedx_grades(self, course_id: str) -> list[dict[str, Any]] | None:
        if course_id not in self.courses:
            return None
        names = self._usernames(course_id)
        return [
            {"username": names[g["user_id"]], "email": g.get("email"), "course_id": course_id,
             "passed": g.get("passed"), "percent": g.get("percent"), "letter_grade": g.get("letter_grade")}
            for g in self.courses[course_id].get("grades", [])
        ]

    def openedx_completion(self, course_id: str) -> list[dict[str, Any]] | None:
        if course_id not in self.courses:
            return None
        names = self._usernames(course_id)
        return [
            {"username": names[p["user_id"]], "course_key": course_id, "completion": {
                "earned": float(p.get("completed_blocks") or 0), "possible": float(p.get("total_blocks") or 0),
                "percent": completion_percent(p)}}
            for p in self.courses[course_id].get("progress", [])
        ]

    def openedx_threads(self, course_id: str) -> list[dict[str, Any]] | None:
        if course_id not in self.courses:
            return None
        names = self._usernames(course_id)
        threads = []
        for d in self.courses[course_id].get("discussions", []):
            count = int(d.get("threads_count") or 0)
            for i in range(count):
                threads.append({
                    "id": f"thread-{d['user_id']}-{i}", "course_id": course_id, "author": names[d["user_id"]],
                    "type": "question" if i < int(d.get("questions_count") or 0) else "discussion",
                    "title": f"Thread {i + 1}", "comment_count": _share(int(d.get("comments_count") or 0), count, i),
                    "vote_count": _share(int(d.get("total_upvotes") or 0), count, i),
                })
        return threads

    def h5p(self, route: str, course_id: str, user_id: str) -> dict[str, Any] | None:
        course = self.courses.get(course_id)
        if course is None or all(str(e["user_id"]) != user_id for e in course.get("enrollments", [])):
            return None
        data = self.h5p_data.get(course_id, {}).get(user_id, {})
        if route == "h5p.scores":
            return {"scores": list(data.get("scores", []))}
        if route == "h5p.videos":
            return {"videos": list(data.get("videos", []))}
        return dict(data.get("dashboard") or {
            "overall_completion": 0.0, "total_items": 0, "completed_items": 0, "h5p_total_contents": 0,
            "video_total_videos": 0})


def completion_percent(progress: Mapping[str, Any]) -> float | None:
    """What the Open edX completion API reports (0..1) for an export progress row."""
    if progress.get("completion_rate") is not None:
        return float(progress["completion_rate"])
    if progress.get("progress_percent") is not None:
        return float(progress["progress_percent"]) / 100
    return None


def _share(total: int, parts: int, index: int) -> int:
    return total // parts + (1 if index < total % parts else 0)


def sample_dataset(course_ids: Sequence[str] = ("course-v1:Demo+MOOC+2024", "course-v1:Demo+H5P+2024"),
                   users_per_course: int = 5) -> dict[str, Any]:
    """A small deterministic dataset in the contract's shape (used by `simulate` without the demo, and tests)."""
    courses: dict[str, Any] = {}
    h5p: dict[str, Any] = {}
    for c, course_id in enumerate(course_ids):
        enrollments, grades, progress, discussions = [], [], [], []
        h5p[course_id] = {}
        for u in range(users_per_course):
            user_id = 1000 + u + (c % 2) * (users_per_course // 2)  # courses share some learners
            username, done = f"learner{user_id}", (u * 7 + c * 3) % 10
            enrollments.append({
                "user_id": user_id, "username": username, "email": f"{username}@example.org",
                "full_name": f"Learner {user_id}", "enrollment_id": 50_000 + c * 1000 + u,
                "mode": "verified" if u % 3 == 0 else "audit", "is_active": u % 4 != 3,
                "created": f"2024-01-{1 + u:02d}T09:00:00Z",
                "attributes": [{"namespace": "order", "name": "order_number", "value": f"ORD-{c}{u}"}],
            })
            grades.append({"user_id": user_id, "username": username, "email": f"{username}@example.org",
                           "percent": done / 10, "letter_grade": "Pass" if done >= 6 else None, "passed": done >= 6})
            progress.append({
                "user_id": user_id, "total_blocks": 20, "completed_blocks": done * 2, "progress_percent": done * 10.0,
                "current_chapter": f"Chapter {1 + done // 4}", "current_section": f"Section {1 + done % 4}",
                "current_unit": f"Unit {1 + done}", "completion_rate": done / 10,
                "last_activity": f"2024-02-{1 + done:02d}T12:00:00Z",
            })
            discussions.append({"user_id": user_id, "threads_count": u % 3, "comments_count": u,
                                "questions_count": 1 if u % 3 else 0, "total_upvotes": u * 2})
            h5p[course_id][str(user_id)] = {
                "scores": [{"content_id": f"h5p-{k}", "content_title": f"Quiz {k}", "score": (done + k) % 5,
                            "max_score": 5, "finished_at": f"2024-02-{1 + k:02d}T10:00:00Z"} for k in range(done % 3)],
                "videos": [{"content_id": f"vid-{k}", "content_title": f"Video {k}",
                            "progress_percent": min(100.0, done * 12.5), "current_time": done * 30.0,
                            "duration": 240.0, "status": "completed" if done >= 8 else "in_progress"}
                           for k in range(1 + done % 2)],
                "dashboard": {"overall_completion": done / 10, "total_items": 5, "completed_items": done // 2,
                              "h5p_total_contents": 3, "video_total_videos": 2},
            }
        courses[course_id] = {"enrollments": enrollments, "grades": grades, "progress": progress,
                              "discussions": discussions}
    return {"courses": courses, "h5p": h5p}
